import { render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { MessageActions } from './actions';
import { Markdown, safeHref } from './markdown';
import { MessageItem } from './MessageItem';
import { message, user } from '../../test/fixtures';

const ctx = { usernames: new Set(['ana', 'ben']), me: 'ana' };
const noActions = new Proxy({}, { get: () => vi.fn(() => Promise.resolve()) }) as unknown as MessageActions;

function renderMessage(content: string, extra = {}) {
  return render(
    <MessageItem
      message={message(1, { content, user_id: 2, ...extra })}
      author={user(2, 'ben', { display_name: 'Ben Ortiz' })}
      grouped={false}
      me={user(1, 'ana')}
      ctx={ctx}
      actions={noActions}
      canModerate={false}
    />,
  );
}

describe('message rendering', () => {
  it('shows HTML in a message as text and creates no element from it', () => {
    const alert = vi.fn();
    vi.stubGlobal('alert', alert);
    const { container } = renderMessage('<img src=x onerror=alert(1)> and <script>alert(2)</script>');
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('.message-content')!.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(container.querySelector('.message-content')!.textContent).toContain('<script>alert(2)</script>');
    expect(alert).not.toHaveBeenCalled();
  });

  it('links only to http(s) and mailto', () => {
    const { container } = render(<Markdown text={'[x](javascript:alert(1)) [y](https://example.com/a) data:text/html,hi'} ctx={ctx} />);
    const links = [...container.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://example.com/a']);
    expect(links[0]!.getAttribute('rel')).toContain('noopener');
    expect(container.textContent).toContain('[x](javascript:alert(1))');
    expect(safeHref('JaVaScRiPt:alert(1)')).toBeNull();
    expect(safeHref('/relative')).toBeNull();
  });

  it('renders markdown as elements: bold, italic, code, lists, quotes, code blocks', () => {
    const { container } = render(<Markdown text={'**bold** _it_ `x<y`\n- one\n- two\n> quoted\n```\n<b>raw</b>\n```'} ctx={ctx} />);
    expect(container.querySelector('strong')!.textContent).toBe('bold');
    expect(container.querySelector('em')!.textContent).toBe('it');
    expect(container.querySelector('p code')!.textContent).toBe('x<y');
    expect(container.querySelectorAll('li')).toHaveLength(2);
    expect(container.querySelector('blockquote')!.textContent).toBe('quoted');
    expect(container.querySelector('pre code')!.textContent).toBe('<b>raw</b>');
    expect(container.querySelector('b')).toBeNull();
  });

  it('takes punctuation after a backslash literally, outside code (a /shrug)', () => {
    const { container } = render(<Markdown text={'it works ¯\\\\\\_(ツ)\\_/¯ \\*plain\\* \\@ana `a\\_b` C:\\Users'} ctx={ctx} />);
    expect(container.textContent).toBe('it works ¯\\_(ツ)_/¯ *plain* @ana a\\_b C:\\Users');
    expect(container.querySelector('em')).toBeNull();
    expect(container.querySelector('.mention')).toBeNull();
    expect(container.querySelector('code')!.textContent).toBe('a\\_b');
  });

  it('highlights mentions of me and of known people only', () => {
    const { container } = render(<Markdown text={'hi @ana and @ben, not @nobody; @here'} ctx={ctx} />);
    const mentions = [...container.querySelectorAll('.mention')].map((m) => [m.textContent, m.classList.contains('mention-me')]);
    expect(mentions).toEqual([
      ['@ana', true],
      ['@ben', false],
      ['@here', true],
    ]);
    expect(container.textContent).toContain('@nobody');
  });

  it('marks a message that mentions me, shows author, edits and deletions', () => {
    const { container, rerender } = renderMessage('ping @ana', { mentions: [{ type: 'user', user_id: 1 }], edited_at: '2026-11-20T09:05:00Z' });
    expect(container.querySelector('.message')!.classList.contains('mentions-me')).toBe(true);
    expect(screen.getByText('Ben Ortiz')).toBeTruthy();
    expect(screen.getByText('(edited)')).toBeTruthy();
    rerender(
      <MessageItem
        message={message(1, { content: '', is_deleted: true })}
        author={user(2, 'ben')}
        grouped={false}
        me={user(1, 'ana')}
        ctx={ctx}
        actions={noActions}
        canModerate={false}
      />,
    );
    expect(screen.getByText('This message was deleted.')).toBeTruthy();
  });
});
