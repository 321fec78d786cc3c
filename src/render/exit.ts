/**
 * Process exit: bars still open when the process ends (process.exit(), an uncaught exception, the event
 * loop running dry with a manual bar never closed) are closed as they stand, so the last lines on screen
 * are true and the cursor is visible. An uncaught exception closes them before Node prints the error, so
 * the error reads below the bars, not through them. Registered once, when the first bar opens; what
 * closing them means is the caller's (the renderers', see renderer.ts), as with signals.ts.
 */

let watching = false;

/** Calls `closeAll` at process exit, and on an uncaught exception that will end the process. Once. */
export function watchExit(closeAll: () => void): void {
  if (watching) return;
  watching = true;
  process.once('exit', closeAll);
  process.on('uncaughtExceptionMonitor', () => {
    // Only when the process is about to die of it: a program with its own handler may carry on.
    if (process.listenerCount('uncaughtException') === 0) closeAll();
  });
}
