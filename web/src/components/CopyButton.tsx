import { useState, type RefObject } from 'react';

interface CopyButtonProps {
  text: string;
  label: string;
  /** Selected for Ctrl+C instead when there is no clipboard (plain http, a refusal). */
  fallback: RefObject<HTMLElement | null>;
  testId?: string;
}

/** Copies `text` to the clipboard, and says so. */
export function CopyButton({ text, label, fallback, testId }: CopyButtonProps) {
  const [copied, setCopied] = useState(false);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      if (fallback.current) window.getSelection()?.selectAllChildren(fallback.current);
    }
  };

  return (
    <>
      <button type="button" className="button button--secondary button--sm" onClick={() => void copy()} data-testid={testId}>
        {copied ? 'Copied' : label}
      </button>
      <span className="sr-only" role="status">
        {copied ? 'Copied to the clipboard' : ''}
      </span>
    </>
  );
}
