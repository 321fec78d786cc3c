/**
 * When a terminal renderer can draw its frames: they need log-update (~70 ms of CPU to load, lazy.ts).
 *
 * A sync loop loads it at once, before its clock starts (`prepare`): the event loop does not turn until the
 * loop ends, so nothing could load meanwhile. An async job does not wait for it: it loads a little later,
 * on turns of the event loop of its own (`later`). Until it is there nothing of the renderer's is on screen,
 * so the lines above (final lines, the program's text) go out at once, in order, and only the bars wait
 * for it. Plain output needs nothing: its frames are always ready.
 */
import { ifLoaded, lastPartLoadedAt, loadSoon, loadSync } from '../lazy.js';

/**
 * log-update starts loading this long after the first bar opened on a terminal (or one refresh interval,
 * if shorter): its largest part (string-width's regular expressions) is one block of CPU of some 30–60 ms
 * that nothing can interrupt, and started at once it would hold up whatever the job does first, a
 * failure that should reject at once among them. A job that ends (or fails) sooner never pays for it.
 */
const LOAD_AFTER_MAX = 100;

export class FrameLoad {
  /** Frames are drawn when asked, log-update loaded at once if it is not yet. */
  private now: boolean;
  /** log-update is loading, or will (see `later`). */
  private loading = false;

  constructor(tty: boolean) {
    this.now = !tty;
  }

  /** Whether a frame can be drawn now (else only the lines above go out). */
  get ready(): boolean {
    return this.now || ifLoaded('log-update') !== undefined;
  }

  /**
   * Loads what a terminal's frames need ahead of a sync loop's first frame (`blocking`), before its clock
   * starts (see `ProgressBar.start`). Anything else goes on without it (`later`).
   */
  prepare(blocking: boolean): void {
    if (this.now || !(blocking || ifLoaded('log-update') !== undefined)) return;
    this.now = true;
    loadSync('log-update');
  }

  /**
   * Loads log-update in the background, `after` ms from now (at most LOAD_AFTER_MAX), then calls
   * `loaded()`, if the bars still `want` it (then and at the start). Not with `import()`: see lazy.ts.
   */
  later(after: number, want: () => boolean, loaded: () => void): void {
    if (this.now || this.loading) return;
    this.loading = true;
    const done = (): void => {
      this.now = true; // if it failed, the next frame's loadSync says why
      if (want()) loaded();
    };
    const timer = setTimeout(() => {
      if (want()) loadSoon('log-update').then(done, done);
      else this.loading = false; // the bars are done: not needed yet
    }, Math.min(after, LOAD_AFTER_MAX));
    timer.unref(); // a job that is done need not wait for it: its final lines need nothing loaded
  }

  /**
   * The renderer's timer is starved (`late` since the last part of log-update loaded, which is not the
   * program's doing): log-update, loading on later turns, would not come before the loop ends. The next
   * frame loads it at once.
   */
  starved(late: (after: number) => boolean): void {
    if (!this.now && late(lastPartLoadedAt())) this.now = true;
  }
}
