import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { highlightSnippet } from './highlight';

const marks = (snippet: string, ranges: number[][]) =>
  [...render(<p>{highlightSnippet(snippet, ranges)}</p>).container.querySelectorAll('mark')].map((m) => m.textContent);

describe('search snippets', () => {
  it('marks the matched ranges', () => {
    expect(marks('the roadmap and the road', [[4, 11], [20, 24]])).toEqual(['roadmap', 'road']);
  });

  it('counts characters, not UTF-16 units, and ignores bad ranges', () => {
    expect(marks('🎉 launch day 🚀 launch', [[2, 8], [15, 21], [9, 3], [40, 50]])).toEqual(['launch', 'launch']);
  });

  it('keeps markup in snippets as text', () => {
    const { container } = render(<p>{highlightSnippet('<b>bold</b> <img src=x>', [[3, 7]])}</p>);
    expect(container.querySelector('b, img')).toBeNull();
    expect(container.textContent).toBe('<b>bold</b> <img src=x>');
  });
});
