import type { ComponentPropsWithRef, ReactNode } from 'react';

interface FieldProps {
  /** The id of the control inside, which the label names. */
  id: string;
  label: ReactNode;
  /** Extra classes for the wrapper, after `field`. */
  className?: string;
  /** A message under the control; it gets the id `${id}-error` (for aria-describedby). */
  error?: string | null;
  children: ReactNode;
}

/** A form field: a label above the control it names (given as children), and its error. */
export function Field({ id, label, className, error, children }: FieldProps) {
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      {children}
      {error ? (
        <p id={`${id}-error`} className="field__error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

type TextFieldProps = Omit<ComponentPropsWithRef<'input'>, 'id' | 'className'> & {
  id: string;
  label: ReactNode;
  /** A note under the input that describes it; gets the id `${id}-hint`. */
  hint?: ReactNode;
  /** A message under the input that marks it invalid while set; gets the id `${id}-error`. */
  error?: string | null;
};

/** A labelled text input (any `type`), with an optional hint and error under it. */
export function TextField({ id, label, hint, error, ...input }: TextFieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <Field id={id} label={label} error={error}>
      <input
        id={id}
        className="input"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        {...input}
      />
      {hint ? (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      ) : null}
    </Field>
  );
}

export interface SelectOption<T extends string> {
  value: T;
  label: string;
}

interface SelectFieldProps<T extends string> {
  id: string;
  label: ReactNode;
  value: T;
  onChange: (value: T) => void;
  options: readonly SelectOption<T>[];
  /** Label of a first option with the value '' (such as "All statuses"); `T` must then admit ''. */
  emptyOption?: string;
  testId?: string;
  error?: string | null;
}

/** A labelled select over a fixed list of options. */
export function SelectField<T extends string>({
  id,
  label,
  value,
  onChange,
  options,
  emptyOption,
  testId,
  error,
}: SelectFieldProps<T>) {
  return (
    <Field id={id} label={label} error={error}>
      <select
        id={id}
        className="input select"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        value={value}
        onChange={(e) => onChange(e.target.value as T)}
        data-testid={testId}
      >
        {emptyOption === undefined ? null : <option value="">{emptyOption}</option>}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** What went wrong with a whole form, above its fields; nothing while all is well. */
export function FormError({ message, testId }: { message: string | null | undefined; testId?: string }) {
  if (!message) return null;
  return (
    <div className="form-error" role="alert" data-testid={testId}>
      {message}
    </div>
  );
}

interface SubmitOrCancelProps {
  label: string;
  busyLabel: string;
  busy: boolean;
  onCancel: () => void;
}

/** An inline form's submit button (its label while busy) and its Cancel, side by side. */
export function SubmitOrCancel({ label, busyLabel, busy, onCancel }: SubmitOrCancelProps) {
  return (
    <div className="form__actions form__actions--start">
      <button type="submit" className="button button--primary" disabled={busy}>
        {busy ? busyLabel : label}
      </button>
      <button type="button" className="button button--secondary" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
