/**
 * Output capture: while bars are live on a terminal, writes to `process.stdout` and `process.stderr`
 * (console.log, loggers) are routed above the bars, so they are neither torn by the next frame nor torn
 * through it. Only streams that are terminals are captured: output to a file or pipe cannot disturb the
 * screen, so it is left alone. Capture ends when the last capturing bar closes. The renderer itself always
 * writes through `writeRaw`, which bypasses the capture.
 *
 * Others wrap `write` too (a logger's or a test tool's tee), maybe while bars are live, on top of ours.
 * So when capture ends, the `write` we replaced comes back only if ours is still the stream's `write`;
 * if someone wrapped ours, their wrapper stays in place, and ours, under it, passes everything straight
 * through from then on (it is never made to capture again: a later capture wraps whatever `write` is then,
 * or takes ours back if it is again the stream's own).
 *
 * consola's `wrapStd()` / `wrapAll()` turn a stream's `write` into a call of the logger and keep the real
 * one as `__write`, which its reporters (and nothing else) write with. Drawing through that `write` would
 * turn each frame into a log line, and the logger's lines would go past the capture; so the bars write
 * with `__write`, and while they capture, `__write` is wrapped like `write` (console.log text then goes
 * above the bars as written, not through the logger).
 */
import type { StringDecoder } from 'node:string_decoder';
import type { OutputStream } from '../options/bar.js';

/** Where captured text goes: the renderer that draws the bars. */
export interface CaptureTarget {
  printAbove(text: string, target: OutputStream): void;
}

type Write = (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean;

interface Patched {
  original: Write;
  /** Ours, installed as the stream's `write`. */
  wrapper: Write;
  /** Whether it captures; false once capture ended (it then passes writes through). */
  active: boolean;
  decoder: StringDecoder;
  /** The stream's `__write` (consola's real write) when it had one, and ours in its place. */
  rawOriginal: Write | undefined;
  rawWrapper: Write | undefined;
}

const patched = new Map<OutputStream, Patched>();
/** Our wrapper on each stream once capture ended, if someone may still call it. */
const retired = new WeakMap<OutputStream, Patched>();
let target: CaptureTarget | undefined;

/**
 * Writes to `stream` without going through the capture. `done`, if given, is passed to `write` as its
 * callback (only give it to streams whose `write` takes one).
 */
export function writeRaw(stream: OutputStream, text: string, done?: (error?: Error | null) => void): void {
  const p = patched.get(stream);
  const write = (p ? (p.rawOriginal ?? p.original) : (rawWriteOf(stream) ?? stream.write)) as Write;
  if (done === undefined) write.call(stream, text);
  else write.call(stream, text, done);
}

/** consola's real write, kept as `__write` by its `wrapStd()` (see above). */
function rawWriteOf(stream: OutputStream): Write | undefined {
  const raw = (stream as { __write?: unknown }).__write;
  return typeof raw === 'function' ? (raw as Write) : undefined;
}

function textOf(chunk: unknown, encoding: unknown, decoder: StringDecoder): string {
  if (typeof chunk === 'string') {
    if (typeof encoding === 'string' && !/^utf-?8$/i.test(encoding) && Buffer.isEncoding(encoding)) {
      return decoder.write(Buffer.from(chunk, encoding));
    }
    return chunk;
  }
  if (chunk instanceof Uint8Array) return decoder.write(chunk);
  return String(chunk);
}

function patch(stream: OutputStream & { write: Write }): void {
  if (patched.has(stream)) return;
  const old = retired.get(stream);
  if (old !== undefined && stream.write === old.wrapper) {
    // Ours is the stream's `write` again (whoever wrapped it put it back): capture with it, not on top of it.
    old.active = true;
    patched.set(stream, old);
    retired.delete(stream);
    return;
  }
  const original = stream.write;
  const { StringDecoder: Decoder } = process.getBuiltinModule('node:string_decoder');
  const rawOriginal = rawWriteOf(stream);
  const entry: Patched = {
    original,
    wrapper: original,
    active: true,
    decoder: new Decoder('utf8'),
    rawOriginal,
    rawWrapper: undefined,
  };
  const capture = (passOn: Write): Write =>
    function captured(this: unknown, chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
      const to = target;
      if (to === undefined || !entry.active) return passOn.call(stream, chunk, encoding, callback);
      to.printAbove(textOf(chunk, encoding, entry.decoder), stream);
      const cb = typeof encoding === 'function' ? encoding : callback;
      if (typeof cb === 'function') process.nextTick(cb as () => void);
      return true;
    } as Write;
  entry.wrapper = capture(original);
  patched.set(stream, entry);
  stream.write = entry.wrapper;
  if (rawOriginal !== undefined) {
    entry.rawWrapper = capture(rawOriginal);
    (stream as { __write?: Write }).__write = entry.rawWrapper;
  }
}

/** Node's own getters of `process.stdout` and `process.stderr` (see `terminalStream`). */
const NODE_GETTERS = { stdout: 'getStdout', stderr: 'getStderr' } as const;

/**
 * `process[name]` if it is a terminal. Node makes the stream the first time it is read, and with it its
 * whole stream stack (~10 ms of CPU in a fresh process, before a bar drawn on a stream of the program's
 * own, or a job's first failure, could go on). A descriptor that is not a character device (a pipe, a
 * file) is not a terminal: while `process[name]` is still Node's own getter, it is then not read.
 * (`node:tty`'s `isatty` would load the stream stack too; `fstat` is a system call.)
 */
function terminalStream(name: 'stdout' | 'stderr'): NodeJS.WriteStream | undefined {
  const own = Object.getOwnPropertyDescriptor(process, name)?.get?.name === NODE_GETTERS[name];
  if (own) {
    try {
      if (!process.getBuiltinModule('node:fs').fstatSync(name === 'stdout' ? 1 : 2).isCharacterDevice()) return undefined;
    } catch {
      // cannot tell: read it
    }
  }
  const stream = process[name];
  return stream.isTTY === true ? stream : undefined;
}

/**
 * Starts routing process.stdout/stderr writes (those that are terminals, and `own`: the renderer's stream
 * when `mode: 'live'` draws frames on one that does not say it is a terminal) to `to`.
 */
export function startCapture(to: CaptureTarget, own?: OutputStream): void {
  if (target !== undefined) return; // one renderer at a time owns the screen's extra output
  target = to;
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = terminalStream(name) ?? (own !== undefined && (process[name] as unknown) === own ? process[name] : undefined);
    if (stream !== undefined) patch(stream as unknown as OutputStream & { write: Write });
  }
}

/**
 * Releases the capture for `to`: puts back the `write` we replaced where ours is still the stream's `write`, and
 * turns ours into a pass-through where someone has wrapped it since.
 */
export function releaseCapture(to: CaptureTarget): void {
  if (target !== to) return;
  target = undefined;
  for (const [stream, p] of patched) {
    p.active = false;
    const s = stream as { write: Write; __write?: Write | undefined };
    if (p.rawWrapper !== undefined && s.__write === p.rawWrapper) s.__write = p.rawOriginal;
    if (s.write === p.wrapper) s.write = p.original;
    else retired.set(stream, p);
  }
  patched.clear();
}

export function isCapturing(to: CaptureTarget): boolean {
  return target === to;
}
