/**
 * Counting what goes through `taqaddum`: bytes, delimited records (lines), or numbers written one per
 * record (`--update`). Pure: Buffers in, counts out; nothing is ever decoded to a string except the
 * short records of `--update`.
 *
 * A counter is fed the chunks in order (the caller may reuse a chunk's memory after `feed` returns)
 * and returns how much each one adds; `end()` returns what the end of the input adds: a last record
 * without a final delimiter still counts as one (`printf 'a\nb'` is two lines; `wc -l` says one).
 */

import type { SimdCounter } from './simd.js';

export interface Counter {
  /** How much this chunk adds to the count. */
  feed(chunk: Uint8Array): number;
  /** How much the end of the input adds. */
  end(): number;
}

/** `--bytes`: every byte counts. */
export class ByteCounter implements Counter {
  feed(chunk: Uint8Array): number {
    return chunk.length;
  }

  end(): number {
    return 0;
  }
}

/**
 * Occurrences of `byte` in `buf[from, to)`, four bytes at a time: XOR with the byte repeated makes a
 * match a zero byte, and `~((x & 0x7f…) + 0x7f… | x | 0x7f…)` sets the top bit of exactly the zero bytes
 * (the addition never carries across bytes, so there are no false hits). The top bits are summed per
 * byte lane in an accumulator that is emptied every 255 words, before a lane can overflow.
 */
export function countByteSwar(buf: Uint8Array, byte: number, from = 0, to = buf.length): number {
  let count = 0;
  let i = from;
  const head = Math.min(to, from + ((4 - ((buf.byteOffset + from) & 3)) & 3));
  for (; i < head; i++) if (buf[i] === byte) count++;
  const words = (to - i) >>> 2;
  if (words > 0) {
    const u32 = new Uint32Array(buf.buffer, buf.byteOffset + i, words);
    const pattern = Math.imul(byte, 0x01010101);
    let w = 0;
    while (w < words) {
      const end = Math.min(w + 255, words);
      let acc = 0;
      for (; w < end; w++) {
        const x = (u32[w] as number) ^ pattern;
        acc = (acc + (~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x | 0x7f7f7f7f) >>> 7)) | 0;
      }
      count += (acc & 0xff) + ((acc >>> 8) & 0xff) + ((acc >>> 16) & 0xff) + (acc >>> 24);
    }
    i += words * 4;
  }
  for (; i < to; i++) if (buf[i] === byte) count++;
  return count;
}

/** Occurrences of `byte` in `buf`, with `indexOf` (memchr): fastest when matches are far apart. */
export function countByteIndexOf(buf: Uint8Array, byte: number): number {
  let count = 0;
  let i = buf.indexOf(byte);
  while (i !== -1) {
    count++;
    i = buf.indexOf(byte, i + 1);
  }
  return count;
}

/**
 * Records ended by a single byte (`\n` by default). `indexOf` costs ~20 ns a call, which is slow for
 * short records; the word-at-a-time count costs ~0.5 ns a byte whatever the density. Each chunk is
 * counted the way that suited the previous one: records shorter than ~48 bytes on average switch to
 * the word count, longer ones switch back.
 */
export class ByteDelimiterCounter implements Counter {
  private openRecord = false;
  private dense = false;

  constructor(private readonly byte: number) {}

  feed(chunk: Uint8Array): number {
    const len = chunk.length;
    if (len === 0) return 0;
    const count = this.dense ? countByteSwar(chunk, this.byte) : countByteIndexOf(chunk, this.byte);
    this.dense = count * 48 > len;
    this.openRecord = chunk[len - 1] !== this.byte;
    return count;
  }

  end(): number {
    const open = this.openRecord;
    this.openRecord = false;
    return open ? 1 : 0;
  }
}

/**
 * Records ended by a single byte, counted with WebAssembly SIMD (`simd.ts`) at ~10 GB/s whatever the
 * record length. Chunks that already live in the module's memory (the copy loop reads into it) are
 * counted in place; others are copied in, in pieces.
 */
export class SimdDelimiterCounter implements Counter {
  private openRecord = false;
  /** Where copied-in chunks go: after the copy loop's read buffer. */
  private readonly scratch: number;

  constructor(
    private readonly simd: SimdCounter,
    private readonly byte: number,
  ) {
    this.scratch = simd.memory.length / 2;
  }

  feed(chunk: Uint8Array): number {
    const len = chunk.length;
    if (len === 0) return 0;
    const { memory, count } = this.simd;
    let n: number;
    if (chunk.buffer === memory.buffer) n = count(chunk.byteOffset, len, this.byte);
    else {
      n = 0;
      const room = memory.length - this.scratch;
      for (let i = 0; i < len; i += room) {
        const piece = chunk.subarray(i, i + room);
        memory.set(piece, this.scratch);
        n += count(this.scratch, piece.length, this.byte);
      }
    }
    this.openRecord = chunk[len - 1] !== this.byte;
    return n;
  }

  end(): number {
    const open = this.openRecord;
    this.openRecord = false;
    return open ? 1 : 0;
  }
}

/**
 * Records ended by a delimiter of several bytes (e.g. `\r\n` or `--\n`), matched without overlap from
 * the left, as `String.prototype.split` does. A delimiter cut in two by a chunk boundary still counts
 * once: the bytes after the last match that could start a delimiter are carried to the next chunk.
 */
export class SequenceDelimiterCounter implements Counter {
  private carry: Buffer = Buffer.alloc(0);
  private openRecord = false;

  constructor(private readonly delimiter: Buffer) {
    if (delimiter.length === 0) throw new RangeError('The delimiter must not be empty');
  }

  feed(chunk: Uint8Array): number {
    if (chunk.length === 0) return 0;
    const d = this.delimiter;
    const view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, view]) : view;
    let count = 0;
    let end = 0; // end of the last match
    let i = buf.indexOf(d);
    while (i !== -1) {
      count++;
      end = i + d.length;
      i = buf.indexOf(d, end);
    }
    if (count > 0) this.openRecord = end < buf.length;
    else this.openRecord = true;
    // A copy: the caller may reuse the chunk's memory.
    this.carry = Buffer.from(buf.subarray(Math.max(end, buf.length - (d.length - 1))));
    return count;
  }

  end(): number {
    const open = this.openRecord;
    this.openRecord = false;
    this.carry = Buffer.alloc(0);
    return open ? 1 : 0;
  }
}

/** Records longer than this cannot be a number: they are skipped without being kept in memory. */
const MAX_NUMBER_RECORD = 256;
/** How much of a record that is not a number is quoted in the warning. */
const QUOTED = 40;

/**
 * `--update`: each record is a number to add to the count (`du -b` style output, `seq`, a job's own
 * progress reports). Blank records are ignored; a record that is not a number adds nothing and is
 * remembered for one warning at the end (the data still passes through untouched).
 *
 * The bytes of a record are taken once they cannot be the start of a delimiter; the last
 * `delimiter.length - 1` bytes of a chunk are carried to the next one undecided, so a delimiter cut by
 * a chunk boundary is still found. Only the first bytes of a record are kept.
 */
export class UpdateCounter implements Counter {
  /** Records that were not numbers. */
  invalid = 0;
  /** The first of them: its 1-based record number and (the start of) its text. */
  firstInvalid: { record: number; text: string } | undefined;
  private records = 0;
  private carry: Buffer = Buffer.alloc(0);
  private head: Buffer[] = [];
  private headLength = 0;
  private recordLength = 0;

  constructor(private readonly delimiter: Buffer) {
    if (delimiter.length === 0) throw new RangeError('The delimiter must not be empty');
  }

  feed(chunk: Uint8Array): number {
    const d = this.delimiter;
    const view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, view]) : view;
    let sum = 0;
    let start = 0;
    let i = buf.indexOf(d);
    while (i !== -1) {
      this.append(buf, start, i);
      sum += this.endRecord();
      start = i + d.length;
      i = buf.indexOf(d, start);
    }
    const decided = Math.max(start, buf.length - (d.length - 1));
    this.append(buf, start, decided);
    this.carry = Buffer.from(buf.subarray(decided)); // a copy: the caller may reuse the chunk's memory
    return sum;
  }

  end(): number {
    this.append(this.carry, 0, this.carry.length);
    this.carry = Buffer.alloc(0);
    return this.recordLength > 0 ? this.endRecord() : 0;
  }

  private append(buf: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.recordLength += to - from;
    const room = MAX_NUMBER_RECORD + 1 - this.headLength;
    if (room <= 0) return;
    const piece = Buffer.from(buf.subarray(from, Math.min(to, from + room)));
    this.head.push(piece);
    this.headLength += piece.length;
  }

  /** The value of the record just ended (0 when it is blank or not a number). */
  private endRecord(): number {
    const bytes = this.head.length === 1 ? (this.head[0] as Buffer) : Buffer.concat(this.head);
    const length = this.recordLength;
    this.head = [];
    this.headLength = 0;
    this.recordLength = 0;
    this.records++;
    if (length === 0) return 0;
    if (length <= MAX_NUMBER_RECORD) {
      const text = bytes.toString('latin1').trim();
      if (text === '') return 0;
      const value = Number(text);
      if (Number.isFinite(value)) return value;
    }
    this.invalid++;
    if (this.firstInvalid === undefined) {
      const text = bytes.subarray(0, QUOTED).toString('utf8').trim();
      this.firstInvalid = { record: this.records, text: length > QUOTED ? `${text}…` : text };
    }
    return 0;
  }
}

/** What `taqaddum` counts. */
export type CountMode = 'bytes' | 'lines' | 'update';

/** The counter for a mode and a delimiter; lines ended by one byte use `simd` when there is one. */
export function createCounter(mode: CountMode, delimiter: Buffer, simd?: SimdCounter): Counter {
  if (mode === 'bytes') return new ByteCounter();
  if (mode === 'update') return new UpdateCounter(delimiter);
  if (delimiter.length === 1) {
    const byte = delimiter[0] as number;
    return simd === undefined ? new ByteDelimiterCounter(byte) : new SimdDelimiterCounter(simd, byte);
  }
  return new SequenceDelimiterCounter(delimiter);
}
