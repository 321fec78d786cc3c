/**
 * Rate estimator: a time-weighted exponential moving average of progress per second.
 *
 * Each sample is a step `Δn` observed over `Δt` milliseconds. Both are summed with a weight that decays
 * with the sample's age, `w(age) = 0.1 ^ (age / window)`: a sample `window` milliseconds old counts 10%.
 *
 *     N ← N · d + Δn,   T ← T · d + Δt,   d = 0.1 ^ (Δt / window),   rate = N / T
 *
 * Dividing the two decayed sums needs no start-up bias correction (the weights cancel), is exact
 * for a steady rate whatever the sampling pattern, and reduces to the overall average when
 * `window = Infinity` and to the last step's rate when `window = 0`.
 *
 * A stall: time since the last step is not a sample yet, so regular slow steps (one item every 2 s)
 * keep a steady rate between steps. Once the silence is longer than a grace period, the excess is counted
 * as a zero-progress sample when the rate is read, so the rate falls and the ETA rises while nothing
 * happens, and recovers when progress resumes. The grace is the larger of the time one unit takes
 * (1 / rate) and 1.5 × the usual gap between steps (a decayed mean, like the sums): for bytes or weighted
 * items the time per unit is tiny, and steps arrive in chunks, so the gap is what tells a stall. Only a
 * silence that was seen counts as a gap (the caller says so): when every reading finds progress, the time
 * between readings is the output's rhythm (a log's 10 s), not the work's, and must not hide a stall.
 */
export class RateEstimator {
  private sumN = 0;
  private sumT = 0;
  /** Decayed count of timed steps: sumGap / steps is the usual gap between steps. */
  private steps = 0;
  private sumGap = 0;
  private readonly ln01PerMs: number;

  /** @param window milliseconds after which a sample's weight has fallen to 10% (0 = last step only). */
  constructor(window: number) {
    this.ln01PerMs = window === 0 ? -Infinity : Math.log(0.1) / window;
  }

  /**
   * Adds a step of `dn` units observed over `dtMs` milliseconds.
   * @param gapMs the silence seen before the step: `dtMs` when a reading in between found no progress, 0
   *   when the previous reading found progress too (the work's own gaps are then shorter than we can tell).
   */
  sample(dn: number, dtMs: number, gapMs = dtMs): void {
    if (!(dtMs > 0)) {
      // Simultaneous steps: fold into the current window without moving time.
      if (dn > 0) this.sumN += dn;
      return;
    }
    const decay = Math.exp(this.ln01PerMs * dtMs);
    this.sumN = this.sumN * decay + dn;
    this.sumT = this.sumT * decay + dtMs;
    this.sumGap = this.sumGap * decay + gapMs;
    this.steps = this.steps * decay + 1;
  }

  /**
   * Units per second, or `undefined` before the first timed sample.
   * @param idleMs time since the last step; beyond the expected time per item it lowers the rate.
   */
  rate(idleMs = 0): number | undefined {
    if (!(this.sumT > 0)) return undefined;
    const perMs = this.sumN / this.sumT;
    if (!(perMs > 0)) return 0;
    const gap = this.steps > 0 ? this.sumGap / this.steps : 0;
    const excess = idleMs - Math.max(1 / perMs, 1.5 * gap);
    if (excess <= 0) return perMs * 1000;
    const decay = Math.exp(this.ln01PerMs * excess);
    return ((this.sumN * decay) / (this.sumT * decay + excess)) * 1000;
  }
}
