// Markdown to React elements. Message text is user input: it is only ever rendered as text
// nodes and a fixed set of elements, never as HTML, and links go only to http(s) and mailto.
import type { ReactNode } from 'react';

export interface MarkdownContext {
  /** Usernames of the organization, so `@name` is a mention only when someone has it. */
  usernames: ReadonlySet<string>;
  me: string;
}

// A backslash before ASCII punctuation makes it literal (`¯\\\_(ツ)\_/¯`, `\*not italic\*`), as in CommonMark; not inside code.
const INLINE =
  /(`[^`\n]+`)|\\([!-/:-@[-`{-~])|\[([^\]\n]+)\]\(([^)\s]+)\)|(\bhttps?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])|(\*\*[^*\n]+\*\*)|(~~[^~\n]+~~)|(\*[^*\n]+\*|\b_[^_\n]+_\b)|(^|[^\w@])@([a-z0-9][a-z0-9._-]*[a-z0-9]|[a-z0-9])/gi;

export function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url, 'http://invalid.example');
    if (parsed.origin === 'http://invalid.example') return null;
    return ['http:', 'https:', 'mailto:'].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

export function renderInline(text: string, ctx: MarkdownContext, key = 'i'): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let n = 0;
  const re = new RegExp(INLINE.source, INLINE.flags);
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const k = `${key}.${n++}`;
    let start = m.index;
    const [whole, code, escaped, linkText, linkUrl, bare, bold, strike, italic, mentionLead, mention] = m;
    if (mention !== undefined) start += mentionLead!.length;
    if (start > last) out.push(text.slice(last, start));
    if (code) out.push(<code key={k}>{code.slice(1, -1)}</code>);
    else if (escaped) out.push(escaped);
    else if (linkText !== undefined) {
      const href = safeHref(linkUrl!);
      out.push(href ? <a key={k} href={href} target="_blank" rel="noopener noreferrer nofollow">{renderInline(linkText, ctx, k)}</a> : whole);
    } else if (bare) {
      const href = safeHref(bare);
      out.push(href ? <a key={k} href={href} target="_blank" rel="noopener noreferrer nofollow">{bare}</a> : bare);
    } else if (bold) out.push(<strong key={k}>{renderInline(bold.slice(2, -2), ctx, k)}</strong>);
    else if (strike) out.push(<del key={k}>{renderInline(strike.slice(2, -2), ctx, k)}</del>);
    else if (italic) out.push(<em key={k}>{renderInline(italic.slice(1, -1), ctx, k)}</em>);
    else if (mention !== undefined) {
      const name = mention.toLowerCase();
      const broadcast = name === 'channel' || name === 'here';
      if (broadcast || ctx.usernames.has(name)) {
        const mine = broadcast || name === ctx.me;
        out.push(
          <span key={k} className={`mention${mine ? ' mention-me' : ''}`}>
            @{mention}
          </span>,
        );
      } else out.push(`@${mention}`);
    }
    last = m.index + whole.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

type Block =
  | { kind: 'code'; text: string }
  | { kind: 'quote'; lines: string[] }
  | { kind: 'list'; ordered: boolean; items: string[] }
  | { kind: 'para'; lines: string[] };

export function parseBlocks(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trimStart().startsWith('```')) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trimStart().startsWith('```')) body.push(lines[i++]!);
      i++;
      blocks.push({ kind: 'code', text: body.join('\n') });
    } else if (/^>\s?/.test(line)) {
      const body: string[] = [];
      while (i < lines.length && /^>\s?/.test(lines[i]!)) body.push(lines[i++]!.replace(/^>\s?/, ''));
      blocks.push({ kind: 'quote', lines: body });
    } else if (/^\s*([-*]|\d+[.)])\s+/.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const items: string[] = [];
      while (i < lines.length && /^\s*([-*]|\d+[.)])\s+/.test(lines[i]!)) items.push(lines[i++]!.replace(/^\s*([-*]|\d+[.)])\s+/, ''));
      blocks.push({ kind: 'list', ordered, items });
    } else if (line.trim() === '') {
      i++;
    } else {
      const body: string[] = [];
      while (i < lines.length && lines[i]!.trim() !== '' && !/^(>|```|\s*([-*]|\d+[.)])\s+)/.test(lines[i]!)) body.push(lines[i++]!);
      blocks.push({ kind: 'para', lines: body });
    }
  }
  return blocks;
}

function withBreaks(lines: string[], ctx: MarkdownContext, key: string): ReactNode[] {
  return lines.flatMap((l, i) => (i ? [<br key={`${key}.br${i}`} />, ...renderInline(l, ctx, `${key}.${i}`)] : renderInline(l, ctx, `${key}.${i}`)));
}

export function Markdown({ text, ctx }: { text: string; ctx: MarkdownContext }) {
  return (
    <div className="markdown">
      {parseBlocks(text).map((b, i) => {
        const k = `b${i}`;
        switch (b.kind) {
          case 'code':
            return (
              <pre key={k}>
                <code>{b.text}</code>
              </pre>
            );
          case 'quote':
            return <blockquote key={k}>{withBreaks(b.lines, ctx, k)}</blockquote>;
          case 'list': {
            const items = b.items.map((item, j) => <li key={j}>{renderInline(item, ctx, `${k}.${j}`)}</li>);
            return b.ordered ? <ol key={k}>{items}</ol> : <ul key={k}>{items}</ul>;
          }
          case 'para':
            return <p key={k}>{withBreaks(b.lines, ctx, k)}</p>;
        }
      })}
    </div>
  );
}
