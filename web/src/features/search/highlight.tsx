import type { ReactNode } from 'react';

/** The snippet with its matched `[start, end)` ranges (in characters, not UTF-16 units) marked. */
export function highlightSnippet(snippet: string, ranges: number[][]): ReactNode[] {
  const chars = Array.from(snippet);
  const sorted = ranges
    .filter((r) => r.length === 2 && r[0]! < r[1]!)
    .map(([s, e]) => [Math.max(0, s!), Math.min(chars.length, e!)] as const)
    .filter(([s, e]) => s < e)
    .sort((a, b) => a[0] - b[0]);
  const out: ReactNode[] = [];
  let at = 0;
  sorted.forEach(([s, e], i) => {
    if (s < at) return;
    if (s > at) out.push(chars.slice(at, s).join(''));
    out.push(<mark key={i}>{chars.slice(s, e).join('')}</mark>);
    at = e;
  });
  if (at < chars.length) out.push(chars.slice(at).join(''));
  return out;
}
