// Ordering of a channel's stored changes. Every change carries the channel's next `seq`; a
// client that applied seq N resumes after N and must neither skip nor repeat a change.

export type Verdict = 'apply' | 'duplicate' | 'gap';

export class SeqTracker {
  /** The last seq applied. */
  last: number;
  /** Set while a `resume` asked after a gap is being answered. */
  private resumingFrom: number | null = null;

  constructor(last: number) {
    this.last = last;
  }

  /**
   * What to do with a change numbered `seq`: `duplicate` for one already applied, `gap` when
   * changes are missing before it (drop it and resume after `last`: the server sends them all
   * again in order), `apply` otherwise. While a resume is being answered, a further gap is
   * accepted: the server had nothing to send for the missing numbers.
   */
  accept(seq: number): Verdict {
    if (seq <= this.last) return 'duplicate';
    if (seq !== this.last + 1 && this.resumingFrom === null) {
      this.resumingFrom = this.last;
      return 'gap';
    }
    this.last = seq;
    this.resumingFrom = null;
    return 'apply';
  }

  /** A new connection resumes from `last` itself. */
  reconnected() {
    this.resumingFrom = null;
  }
}
