/**
 * How long the tasks that settled took: a log-bucket histogram of durations in milliseconds, for the
 * straggler rule of task bars (promises/stragglers.ts). Adding is O(1) whatever the count (one `log2` and
 * one array write, or one write for many durations at once); a percentile walks the 161 buckets, and is
 * kept until the next add. Memory is fixed (161 numbers) however many tasks settle.
 *
 * Bucket `b` holds durations in (2^((b−1)/4), 2^(b/4)] ms (bucket 0: 1 ms and less), so each bucket is
 * about 19 % wide; a percentile is read as the upper edge of its bucket, never below the true value.
 * The last bucket takes everything from 2^40 ms (35 years) up.
 */

/** Buckets per doubling. */
const PER_DOUBLING = 4;
const LAST = 40 * PER_DOUBLING;

export class SettleTimes {
  private readonly buckets = new Float64Array(LAST + 1);
  /** Durations recorded. */
  count = 0;
  private cachedQ = NaN;
  private cachedAt = -1;
  private cached = 0;

  /** Records `times` durations of `ms` each (negative durations count as 0). */
  add(ms: number, times = 1): void {
    if (!(times > 0)) return;
    const b = ms > 1 ? Math.min(LAST, Math.ceil(Math.log2(ms) * PER_DOUBLING)) : 0;
    this.buckets[b] = (this.buckets[b] as number) + times;
    this.count += times;
  }

  /**
   * The `q`-quantile (0 < q ≤ 1) of the durations recorded, as the upper edge of its bucket (ms);
   * `undefined` while none is.
   */
  percentile(q: number): number | undefined {
    if (this.count === 0) return undefined;
    if (this.cachedAt === this.count && this.cachedQ === q) return this.cached;
    const rank = q * this.count;
    let seen = 0;
    let b = 0;
    for (; b < LAST; b++) {
      seen += this.buckets[b] as number;
      if (seen >= rank) break;
    }
    this.cachedQ = q;
    this.cachedAt = this.count;
    this.cached = 2 ** (b / PER_DOUBLING);
    return this.cached;
  }
}
