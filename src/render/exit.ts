/**
 * Process exit: bars still open when the process exits (process.exit(), an uncaught exception, the
 * event loop running dry with a manual bar never closed) are closed as they stand, so the last lines on
 * screen are true and the cursor is visible. Registered once, when the first bar opens.
 */
import { liveRenderers } from './renderer.js';

let watching = false;

export function watchExit(): void {
  if (watching) return;
  watching = true;
  process.once('exit', () => {
    for (const r of liveRenderers()) r.closeAllAtExit();
  });
}
