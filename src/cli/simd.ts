/**
 * Counting one byte value (the newline) 16 bytes at a time with WebAssembly SIMD, which Node 20 runs on
 * every x64 and arm64 CPU. JavaScript's best (`indexOf` per match, or four bytes per step) counts short
 * lines at ~1–3 GB/s; this counts them at memory speed, so `taqaddum` in line mode costs what it costs in
 * byte mode.
 *
 * The module's source is `simd.wat` beside this file (the loop, instruction by instruction, with its
 * reasons); `node scripts/wat.js` assembles it into `simd-wasm.ts`. Its memory holds the copy loop's read
 * buffer at offset 0, so the bytes are counted where `readSync` put them, without a copy.
 */
import { SIMD_WASM } from './simd-wasm.js';

export interface SimdCounter {
  /** The module's memory: read into it and count in place. The first half is for the read buffer. */
  readonly memory: Uint8Array;
  /** Bytes equal to `byte` in `memory[offset, offset + length)`. */
  count(offset: number, length: number, byte: number): number;
}

/** The little of the WebAssembly API used here (TypeScript declares it only with the DOM library). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => {
    exports: { memory: { buffer: ArrayBuffer }; count: (p: number, n: number, b: number) => number };
  };
}

/** Instantiates the module, or `undefined` where WebAssembly SIMD is not available (`--jitless`, …). */
export function createSimdCounter(): SimdCounter | undefined {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined) return undefined;
  try {
    const exports = new wasm.Instance(new wasm.Module(Buffer.from(SIMD_WASM, 'base64'))).exports;
    const memory = new Uint8Array(exports.memory.buffer);
    const count = exports.count;
    // One known answer, so that a broken engine falls back instead of miscounting.
    memory.fill(10, 0, 40);
    memory[17] = 0;
    if (count(0, 40, 10) !== 39 || count(1, 0, 10) !== 0) return undefined;
    return { memory, count: (offset, length, byte) => count(offset, length, byte) >>> 0 };
  } catch {
    return undefined;
  }
}
