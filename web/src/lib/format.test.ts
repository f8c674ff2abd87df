import { describe, expect, it } from 'vitest';
import { formatFull, formatRelative, formatTime, formatUntil } from './format';

describe('relative times', () => {
  const now = new Date(2026, 10, 20, 15, 0, 0);
  const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });
  it('counts minutes, then hours, then days, then gives the date', () => {
    expect(formatRelative(ago(20_000), now)).toBe(rtf.format(0, 'second'));
    expect(formatRelative(ago(5 * 60_000), now)).toBe(rtf.format(-5, 'minute'));
    expect(formatRelative(ago(3 * 3_600_000), now)).toBe(rtf.format(-3, 'hour'));
    expect(formatRelative(new Date(2026, 10, 19, 9, 0).toISOString(), now)).toBe(rtf.format(-1, 'day'));
    expect(formatRelative(new Date(2026, 10, 16, 9, 0).toISOString(), now)).toBe(rtf.format(-4, 'day'));
    expect(formatRelative(new Date(2026, 9, 1, 9, 0).toISOString(), now)).not.toMatch(/ago/);
  });
});

describe('ends', () => {
  it('give the time when they are today, the date and time when later', () => {
    const now = new Date(2026, 10, 20, 9, 0, 0);
    const today = new Date(2026, 10, 20, 17, 30).toISOString();
    const nextWeek = new Date(2026, 10, 27, 9, 0).toISOString();
    expect(formatUntil(today, now)).toBe(formatTime(today));
    expect(formatUntil(nextWeek, now)).toBe(formatFull(nextWeek));
  });
});
