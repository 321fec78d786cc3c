/**
 * Ctrl-C and SIGTERM while bars are drawn with the cursor hidden: put the terminal back (final frame,
 * cursor shown), then let the signal do what it would have done. With no handler of the program's own,
 * that is to end the process by the signal (a shell reports 130 for SIGINT); with one, nothing more is
 * done here: the program decides, and the exit hook tidies up if it exits.
 *
 * Only armed while the event loop is free: a JavaScript signal handler cannot run during a synchronous
 * loop, and an armed one would make Ctrl-C wait for the loop to end. So a renderer arms it from its timer
 * (proof the loop turns) and stands it down, showing the cursor, when a sync loop starts or when it sees
 * its timer starved.
 *
 * Removing the last listener while a signal is queued (it arrived while the loop was busy) would drop the
 * signal: Node stops watching it and the queued event is lost. So when the bars simply finish, the
 * listeners are removed one event-loop turn later, after any queued signal has been handled (by ending
 * the process, as it would have). Standing down for a sync loop is immediate: there, waiting would hold
 * Ctrl-C back for the whole loop.
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

let pendingDisarm: NodeJS.Immediate | undefined;

function disarmAll(): void {
  if (pendingDisarm !== undefined) {
    clearImmediate(pendingDisarm);
    pendingDisarm = undefined;
  }
  if (!armed) return;
  armed = false;
  for (const s of SIGNALS) process.removeListener(s, onSignal);
}

/** Registers `cleanup` to run on SIGINT/SIGTERM (before the default action) until `disarm(cleanup)`. */
export function arm(cleanup: Cleanup): void {
  owners.add(cleanup);
  if (pendingDisarm !== undefined) {
    clearImmediate(pendingDisarm);
    pendingDisarm = undefined;
  }
  if (armed) return;
  armed = true;
  for (const s of SIGNALS) process.on(s, onSignal);
}

/**
 * Unregisters `cleanup`; when none is left, the listeners go: at once if `now` (a sync loop is starting),
 * else after one event-loop turn, so that a signal already queued still arrives.
 */
export function disarm(cleanup: Cleanup, now = false): void {
  owners.delete(cleanup);
  if (owners.size > 0 || !armed) return;
  if (now) disarmAll();
  else if (pendingDisarm === undefined) {
    pendingDisarm = setImmediate(() => {
      pendingDisarm = undefined;
      if (owners.size === 0) disarmAll();
    });
    pendingDisarm.unref();
  }
}
