// The README shows the example bot as it is: the file the end-to-end test runs.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (name: string) => fs.readFileSync(new URL(`../${name}`, import.meta.url), 'utf8');

describe('the README', () => {
  it('shows examples/slash-bot.mjs exactly, in at most 30 lines', () => {
    const section = read('README.md').split('## A bot that answers a slash command')[1] ?? '';
    const shown = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    const example = read('examples/slash-bot.mjs');
    expect(shown).toBe(example);
    expect(example.trimEnd().split('\n').length).toBeLessThanOrEqual(30);
  });
});
