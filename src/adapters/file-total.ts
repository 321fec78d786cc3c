/**
 * How many bytes a byte source will yield, when that can be known before reading it. Used for the
 * total of `progress(source, { unit: 'B' })` and of `progress.stream()` when a source is piped into it.
 *
 * - `fs.createReadStream(path)`: the file's size now (one `stat`), narrowed by the `start`/`end` options.
 * - `fs.createReadStream(null, { fd, start })`: the size of the open file from `start` on (`fstat`).
 * - `http.IncomingMessage` (a response of `http.get`, a request in a server): `content-length`. Node's
 *   `http` does not decompress, so the header counts exactly the bytes it yields.
 *
 * Unknown (`undefined`, the bar shows a count and a rate) when:
 * - the stream reads from a file descriptor or a `FileHandle` without `start`: it starts wherever the
 *   descriptor's position is, which Node cannot tell;
 * - the file is not a regular file (a pipe, a device, `/dev/stdin`) or reports a size of 0 (`/proc`
 *   files do; a truly empty file loses nothing);
 * - the stream decodes to text other than UTF-8 (`encoding: 'hex'`, …): its chunks are not file bytes;
 * - the stream has already been read from;
 * - the file cannot be `stat`ed (the stream will report that itself).
 * A file that grows while it is read (a log) has the size it had when the bar was made.
 */
import type { ReadStream, Stats } from 'node:fs';

/** `node:fs`, fetched when a total is looked for (not at import). */
const fs = () => process.getBuiltinModule('node:fs');

interface ReadStreamFields {
  path?: string | Buffer | URL;
  fd?: number | null;
  start?: number;
  end?: number;
  bytesRead?: number;
  readableEncoding?: BufferEncoding | null;
}

function fileStats(stream: ReadStreamFields): Stats | undefined {
  try {
    if (stream.path !== undefined && stream.path !== null) return fs().statSync(stream.path, { throwIfNoEntry: false });
    if (typeof stream.fd === 'number' && stream.start !== undefined) return fs().fstatSync(stream.fd);
  } catch {
    // unreadable: the stream reports its own error when it is read
  }
  return undefined;
}

/** The bytes an `fs.ReadStream` will yield, or `undefined` when that cannot be known (see above). */
export function readStreamTotal(stream: ReadStream): number | undefined {
  const s = stream as unknown as ReadStreamFields;
  const encoding = s.readableEncoding;
  if (encoding !== null && encoding !== undefined && encoding !== 'utf8' && encoding !== 'utf-8') return undefined;
  if ((s.bytesRead ?? 0) > 0) return undefined;
  const stats = fileStats(s);
  if (stats === undefined || !stats.isFile() || stats.size === 0) return undefined;
  const start = typeof s.start === 'number' ? s.start : 0;
  const end = typeof s.end === 'number' ? s.end : Infinity; // inclusive
  return Math.max(0, Math.min(end + 1, stats.size) - start);
}

interface IncomingMessageFields {
  headers: Record<string, string | string[] | undefined>;
  httpVersion: string;
  statusCode?: number | null;
  readableDidRead?: boolean;
  req?: { method?: string };
}

function isIncomingMessage(source: unknown): source is IncomingMessageFields {
  const s = source as Partial<IncomingMessageFields>;
  return typeof s.httpVersion === 'string' && s.headers !== null && typeof s.headers === 'object';
}

/** `content-length` of an `http.IncomingMessage` that has a body, or `undefined`. */
export function incomingMessageTotal(message: IncomingMessageFields): number | undefined {
  if (message.readableDidRead === true) return undefined;
  const status = message.statusCode;
  if (status === 204 || status === 304 || message.req?.method === 'HEAD') return undefined;
  const header = message.headers['content-length'];
  if (typeof header !== 'string' || !/^\d+$/.test(header.trim())) return undefined;
  const length = Number(header.trim());
  return Number.isSafeInteger(length) ? length : undefined;
}

/** The byte total of a source, when it is a file stream or an HTTP message that says so. */
export function byteSourceTotal(source: unknown): number | undefined {
  try {
    if (source instanceof fs().ReadStream) return readStreamTotal(source);
    if (isIncomingMessage(source)) return incomingMessageTotal(source);
  } catch {
    // a getter that throws (on a source that only looks like one of these): the total is unknown
  }
  return undefined;
}
