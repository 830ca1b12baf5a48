import { useEffect, useRef } from 'react';
import { CopyButton } from './CopyButton';

interface RecoveryCodesProps {
  codes: readonly string[];
  /** The person says they kept them: they are not shown again. */
  onDone: () => void;
}

/** Recovery codes, just made: shown this once, to copy somewhere safe. */
export function RecoveryCodes({ codes, onDone }: RecoveryCodesProps) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const listRef = useRef<HTMLOListElement>(null);
  useEffect(() => headingRef.current?.focus(), []);

  return (
    <div className="two-step__panel" data-testid="recovery-codes">
      <h3 ref={headingRef} tabIndex={-1} className="two-step__heading">
        Save your recovery codes
      </h3>
      <p className="muted">
        Lost your phone? Each code signs you in once instead of the app&apos;s code. Keep them somewhere safe, such as a
        password manager: they are shown only now.
      </p>
      <ol ref={listRef} className="recovery-codes" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code data-testid="recovery-code">{code}</code>
          </li>
        ))}
      </ol>
      <div className="form__actions form__actions--start">
        <CopyButton text={codes.join('\n')} label="Copy codes" fallback={listRef} testId="copy-recovery-codes" />
        <button type="button" className="button button--primary button--sm" onClick={onDone}>
          I have saved them
        </button>
      </div>
    </div>
  );
}
