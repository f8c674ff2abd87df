// A secret the server shows this once (a personal access token, a bot's token, an incoming
// webhook's address): to copy now, as it will not be shown again. Shared by the profile, the
// admin page and the channel settings.
import { useState, type ReactNode } from 'react';

/**
 * Copying to the clipboard: `copy(text)`, and what came of the last try (to show as a hint), or
 * null before any. Without a clipboard (an insecure origin, an old browser) it says to copy by hand.
 */
export function useCopy(what: string): [string | null, (text: string) => Promise<void>] {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async (text: string) => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(text);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied(`Could not copy here: select the ${what} and copy it yourself.`);
    }
  };
  return [copied, copy];
}

/**
 * The secret just made, in a read-only box with a Copy button, under `title` (which says it is
 * shown once); `children` follow it (how to use it), then Done, which forgets it.
 */
export function ShownOnce({
  id,
  label,
  secret,
  what = 'token',
  title,
  onDone,
  children,
}: {
  /** The box's id; the title is `${id}Title`, the Copy button `${id}Copy`. */
  id: string;
  /** The box's label ("Your new token"). */
  label: string;
  secret: string;
  /** What the secret is, in "select the … and copy it yourself". */
  what?: string;
  title: ReactNode;
  onDone: () => void;
  children?: ReactNode;
}) {
  const [copied, copy] = useCopy(what);
  return (
    <div className="new-token" role="status" aria-labelledby={`${id}Title`}>
      <p id={`${id}Title`}>{title}</p>
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <div className="new-token-row">
          <input id={id} className="secret-input" readOnly value={secret} spellCheck={false} autoComplete="off" onFocus={(e) => e.target.select()} />
          <button type="button" className="button" onClick={() => void copy(secret)} id={`${id}Copy`}>
            Copy
          </button>
        </div>
      </div>
      {copied && <p className="hint">{copied}</p>}
      {children}
      <div>
        <button type="button" className="button small" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
