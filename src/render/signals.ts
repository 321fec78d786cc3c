/**
 * SIGINT and SIGTERM while bars are live: put the output right, then let the signal do what it would have
 * done without the bars.
 *
 * - With no listener of the program's own, the signal would end the process: the live bars are closed as
 *   they stand (on a terminal: final frame, cursor shown; in plain output: each bar's final line and its
 *   report of what was still pending), then the signal is raised again and ends the process by it (a shell
 *   reports 130 for SIGINT).
 * - With a listener of the program's own (`process.on`, `once` or `prepend…`, registered before or after
 *   the bars started), the program decides: the screen is brought up to date with the cursor shown (and
 *   kept shown), the bars are left open, and nothing else is done. The program's handler typically aborts
 *   the loop, which closes the bars as aborted; if it exits, the exit hook (exit.ts) closes them.
 *
 * "A listener of the program's own" means one that this very emit calls, which is not what
 * `process.listenerCount()` says from inside our listener: a `once` listener that ran before ours has
 * already removed itself. `ListenerWatch` (listeners.ts) counts the listeners the emit found, whatever the
 * order of registration. The listeners of signal-exit (the exit hooks of execa, ora and many CLIs) are no
 * handler of the program's: signal-exit re-raises the signal only when its own listeners are the only
 * ones, so if each counted the other, Ctrl-C would do nothing at all. It says how many of its instances
 * listen (one listener per signal each: `count` on its shared emitter, `globalThis[Symbol.for('signal-exit
 * emitter')]` for version 4, `process.__signal_exit_emitter__` for version 3), and those are not counted:
 * the bars close, the signal is raised again, and signal-exit runs its hooks and ends the process.
 *
 * Only armed while the event loop is free: a JavaScript signal handler cannot run during a synchronous
 * loop, and an armed one would make Ctrl-C wait for the loop to end. So a renderer (terminal or plain)
 * arms it from its timer (proof the loop turns) and stands it down, showing the cursor, when a sync loop
 * starts or when it sees its timer starved. In a synchronous loop a signal acts as if the bars were not
 * there (plain output then gets no final line: no JavaScript can run).
 *
 * Removing the last listener while a signal is queued (it arrived while the loop was busy) would drop the
 * signal: Node stops watching it and the queued event is lost. So when the bars simply finish, the
 * listeners are removed one event-loop turn later, after any queued signal has been handled (by ending
 * the process, as it would have). Standing down for a sync loop is immediate: there, waiting would hold
 * Ctrl-C back for the whole loop.
 *
 * The report signal asks for a report without stopping anything: every live bar's status line and what
 * it has pending, above the bars on a terminal, as plain lines in a log. It is SIGINFO (Ctrl-T on macOS
 * and the BSDs, where the terminal sends it and its default is to do nothing) where the platform has it,
 * or the one `TAQADDUM_REPORT_SIGNAL` names (`SIGUSR2`, `USR2`…; `none`: no report signal), read each time
 * the handlers arm. It is opt-in elsewhere because the other candidates end the process by default, and
 * tools use them: Node keeps SIGUSR1 for its inspector, nodemon restarts a child with SIGUSR2. A value
 * that is not one of `REPORT_SIGNALS`, or a signal this platform does not have, gets one warning and is
 * ignored. The same rules as above: armed only while the event loop turns (unarmed, the signal does what
 * it does without the bars: SIGUSR2 ends the process), and a listener of the program's own for it means
 * the program decides: no report.
 */
import { reportSignalSetting } from '../env.js';
import { ListenerWatch } from './listeners.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** What a renderer does on a signal. */
export interface SignalOwner {
  /** The program handles the signal: show the output as it stands, cursor visible; the bars stay open. */
  release(): void;
  /** Nobody else handles it and the process is about to end by it: close the bars as they stand. */
  closeAll(): void;
  /** The report signal: print every live bar's status line and what it has pending; the bars go on. */
  report(): void;
}

/** The signals `TAQADDUM_REPORT_SIGNAL` may name (those a program can catch that stop nothing it needs). */
export const REPORT_SIGNALS: readonly NodeJS.Signals[] = ['SIGUSR2', 'SIGINFO', 'SIGHUP', 'SIGQUIT', 'SIGBREAK'];
const NO_SIGNAL = new Set(['none', 'off', 'false', '0']);

/**
 * The report signal for a `TAQADDUM_REPORT_SIGNAL` setting (pure): the one named, else SIGINFO where
 * `available` (the platform's signals) has it. A warning when the setting is ignored.
 */
export function reportSignalFor(
  setting: string | undefined,
  available: Readonly<Record<string, number | undefined>>,
): { signal: NodeJS.Signals | undefined; warning: string | undefined } {
  const fallback = available.SIGINFO !== undefined ? 'SIGINFO' : undefined;
  if (setting === undefined) return { signal: fallback, warning: undefined };
  if (NO_SIGNAL.has(setting.toLowerCase())) return { signal: undefined, warning: undefined };
  const name = `SIG${setting.toUpperCase().replace(/^SIG/, '')}` as NodeJS.Signals;
  const why = !REPORT_SIGNALS.includes(name)
    ? `expected one of ${REPORT_SIGNALS.join(', ')} or none`
    : available[name] === undefined
      ? `${name} does not exist on this platform (${process.platform})`
      : undefined;
  if (why === undefined) return { signal: name, warning: undefined };
  const instead = fallback === undefined ? 'no report signal' : `${fallback} reports`;
  return { signal: fallback, warning: `TAQADDUM_REPORT_SIGNAL: ${why}, got ${JSON.stringify(setting)}; ignored (${instead})` };
}

/** Settings already warned about: each once per process. */
const warned = new Set<string>();

/** The report signal now (`TAQADDUM_REPORT_SIGNAL` read afresh), warning once about a bad setting. */
function currentReportSignal(): NodeJS.Signals | undefined {
  const setting = reportSignalSetting();
  // node:os is fetched when first needed (see docs/architecture.md, "Lazy loading").
  const available = process.getBuiltinModule('node:os').constants.signals as Record<string, number | undefined>;
  const { signal, warning } = reportSignalFor(setting, available);
  if (warning !== undefined && setting !== undefined && !warned.has(setting)) {
    warned.add(setting);
    process.emitWarning(warning, { code: 'TAQADDUM_REPORT_SIGNAL' });
  }
  return signal;
}

const owners = new Set<SignalOwner>();
let armed = false;

/** Listeners per signal that signal-exit (versions 3 and 4) has on the process. */
function signalExitListeners(): number {
  const count = (emitter: unknown): number => {
    const n = typeof emitter === 'object' && emitter !== null ? (emitter as { count?: unknown }).count : undefined;
    return typeof n === 'number' && n > 0 ? n : 0;
  };
  const v4 = (globalThis as Record<symbol, unknown>)[Symbol.for('signal-exit emitter')];
  const v3 = (process as { __signal_exit_emitter__?: unknown }).__signal_exit_emitter__;
  return count(v4) + count(v3);
}

/** Whether signal-exit (see above) listens to `signal` here: its listeners for it are no handler of the program's. */
function signalExitWatches(signal: NodeJS.Signals): boolean {
  if (signal === 'SIGINT' || signal === 'SIGTERM' || signal === 'SIGHUP') return true;
  return process.platform !== 'win32' && (signal === 'SIGUSR2' || signal === 'SIGQUIT');
}

function onSignal(signal: NodeJS.Signals): void {
  if (watch.others(signal) - signalExitListeners() > 0) {
    for (const owner of [...owners]) owner.release();
    return;
  }
  disarmAll();
  for (const owner of [...owners]) owner.closeAll();
  owners.clear();
  process.kill(process.pid, signal);
}

const watch = new ListenerWatch(process, SIGNALS, onSignal);

/** The report signal while armed, and the watch that tells whether the program listens to it too. */
let reporting: { readonly signal: NodeJS.Signals; readonly watch: ListenerWatch } | undefined;

function onReport(signal: NodeJS.Signals): void {
  const r = reporting;
  if (r === undefined || signal !== r.signal) return;
  const theirs = r.watch.others(signal) - (signalExitWatches(signal) ? signalExitListeners() : 0);
  if (theirs > 0) return; // the program's own listener decides
  for (const owner of [...owners]) owner.report();
}

function listenForReports(): void {
  const signal = currentReportSignal();
  if (signal === undefined) return;
  const w = new ListenerWatch(process, [signal], onReport);
  w.listen();
  try {
    process.on(signal, onReport);
  } catch {
    w.unlisten(); // a signal Node cannot listen to here (EINVAL): no report
    return;
  }
  reporting = { signal, watch: w };
}

function stopReports(): void {
  const r = reporting;
  if (r === undefined) return;
  reporting = undefined;
  process.removeListener(r.signal, onReport);
  r.watch.unlisten();
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
  watch.unlisten();
  stopReports();
}

/** Registers `owner` to act on SIGINT/SIGTERM (and the report signal) until `disarm(owner)`. */
export function arm(owner: SignalOwner): void {
  owners.add(owner);
  if (pendingDisarm !== undefined) {
    clearImmediate(pendingDisarm);
    pendingDisarm = undefined;
  }
  if (armed) return;
  armed = true;
  watch.listen();
  for (const s of SIGNALS) process.on(s, onSignal);
  listenForReports();
}

/**
 * Unregisters `owner`; when none is left, the listeners go: at once if `now` (a sync loop is starting),
 * else after one event-loop turn, so that a signal already queued still arrives.
 */
export function disarm(owner: SignalOwner, now = false): void {
  owners.delete(owner);
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
