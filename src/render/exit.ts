/**
 * Process exit: bars still open when the process exits (process.exit(), an uncaught exception, the
 * event loop running dry with a manual bar never closed) are closed as they stand, so the last line on
 * screen is true. Registered once, on the first bar that draws.
 */
import type { Renderer } from './renderer.js';
import { liveRenderers } from './renderer.js';

let watching = false;

export function watchExit(_renderer: Renderer): void {
  if (watching) return;
  watching = true;
  process.once('exit', () => {
    for (const r of liveRenderers()) r.closeAllAtExit();
  });
}
