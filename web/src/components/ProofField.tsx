import { useState, type InputHTMLAttributes } from 'react';
import { PROOF_WORDING, type ProofMethod } from '../lib/proofs';
import { TextField } from './Field';

/** How each method's input helps: the right keyboard, and the password manager or one-time code autofill. */
const INPUTS: Record<ProofMethod, InputHTMLAttributes<HTMLInputElement> & { hint?: string }> = {
  password: { type: 'password', autoComplete: 'current-password' },
  code: {
    type: 'text',
    inputMode: 'numeric',
    autoComplete: 'one-time-code',
    spellCheck: false,
  },
  recoveryCode: {
    type: 'text',
    autoComplete: 'off',
    autoCapitalize: 'none',
    spellCheck: false,
    hint: 'One of the codes you saved, like abcd-efgh-ijkl-mnop. Each works once.',
  },
};

interface ProofFieldProps<M extends ProofMethod> {
  id: string;
  /** The methods offered, `method` among them; a button switches to each of the others. */
  methods: readonly M[];
  method: M;
  onMethodChange: (method: M) => void;
  value: string;
  onChange: (value: string) => void;
  error?: string | null | undefined;
  autoFocus?: boolean;
}

/** The password, an authenticator app's code or a recovery code: one field, and the way to the others. */
export function ProofField<M extends ProofMethod>({
  id,
  methods,
  method,
  onMethodChange,
  value,
  onChange,
  error,
  autoFocus,
}: ProofFieldProps<M>) {
  // The switch button goes away when pressed: focus moves on to the field that replaces it.
  const [switched, setSwitched] = useState(false);
  const others = methods.filter((m) => m !== method);
  const { hint, ...input } = INPUTS[method];
  return (
    <div className="proof-field">
      <TextField
        key={method}
        id={`${id}-${method}`}
        label={PROOF_WORDING[method].label}
        hint={hint}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        error={error}
        autoFocus={autoFocus || switched}
        required
        data-testid={`proof-${method}`}
        {...input}
      />
      {others.length > 0 ? (
        <div className="proof-field__switch">
          {others.map((other) => (
            <button
              key={other}
              type="button"
              className="link-button"
              onClick={() => {
                setSwitched(true);
                onMethodChange(other);
              }}
            >
              {PROOF_WORDING[other].switchTo}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
