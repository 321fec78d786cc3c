/**
 * Ctrl-C and SIGTERM while bars are drawn with the cursor hidden: put the terminal back (final frame,
 * cursor shown), then let the signal do what it would have done. With no handler of the program's own,
 * that is to end the process by the signal (a shell reports 130 for SIGINT); with one, nothing more is
 * done here: the program decides, and the exit hook tidies up if it exits.
 *
 * Only armed while the event loop is free: a JavaScript signal handler cannot run during a synchronous
 * loop, and an armed one would make Ctrl-C wait for the loop to end. So a renderer arms it from its timer
 * (proof the loop turns) and disarms it when it sees its timer starved (a sync loop), showing the cursor
 * then, since nothing could restore it on Ctrl-C.
 */
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

type Cleanup = () => void;
const owners = new Set<Cleanup>();
let armed = false;

function onSignal(signal: NodeJS.Signals): void {
  const others = process.listenerCount(signal) - 1;
  if (others > 0) return; // the program handles it
  disarmAll();
  for (const cleanup of [...owners]) cleanup();
  owners.clear();
  process.kill(process.pid, signal);
}

function disarmAll(): void {
  if (!armed) return;
  armed = false;
  for (const s of SIGNALS) process.removeListener(s, onSignal);
}

/** Registers `cleanup` to run on SIGINT/SIGTERM (before the default action) until `disarm(cleanup)`. */
export function arm(cleanup: Cleanup): void {
  owners.add(cleanup);
  if (armed) return;
  armed = true;
  for (const s of SIGNALS) process.on(s, onSignal);
}

export function disarm(cleanup: Cleanup): void {
  owners.delete(cleanup);
  if (owners.size === 0) disarmAll();
}
