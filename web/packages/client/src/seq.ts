// Ordering of a channel's stored changes. Every change carries the channel's next `seq`; a
// client that applied seq N resumes after N and must neither skip nor repeat a change.

export type Verdict = 'apply' | 'duplicate' | 'gap';

export class SeqTracker {
  /** The last seq applied. */
  last: number;

  constructor(last: number) {
    this.last = last;
  }

  /**
   * What to do with a change numbered `seq`: `duplicate` for one already applied, `gap` when
   * changes are missing before it (the server never sends one on a healthy connection: drop
   * it and reconnect after `last`, which replays from there), `apply` otherwise.
   */
  accept(seq: number): Verdict {
    if (seq <= this.last) return 'duplicate';
    if (seq !== this.last + 1) return 'gap';
    this.last = seq;
    return 'apply';
  }
}
