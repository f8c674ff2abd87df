import type { ReactNode } from 'react';

/**
 * How an endpoint checks that a request comes from Tandem (outgoing webhooks, slash commands):
 * `intro`, the signature header's formula, then `children` (where to read more).
 */
export function SignatureNote({ intro, children }: { intro: ReactNode; children: ReactNode }) {
  return (
    <div className="field">
      <p className="hint">{intro}</p>
      <pre className="curl-example">
        <code>{'X-Tandem-Signature: v1=hex(HMAC-SHA256(secret, "{X-Tandem-Timestamp}.{body}"))'}</code>
      </pre>
      {children}
    </div>
  );
}
