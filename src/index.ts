// Kept in dist/index.d.ts (`preserve`): the types name Node's (`progress.stream()` is a `Transform`,
// chunks default to `Buffer`) and `Symbol.dispose`, and since TypeScript 6 a project loads no
// `@types/*` package unless its `types` option lists it. These load them for any project that imports
// taqaddum: @types/node (an optional peer dependency) and the lib that declares `Disposable`.
/// <reference types="node" preserve="true" />
/// <reference lib="esnext.disposable" preserve="true" />
export { progress } from './progress.js';
export { write } from './write.js';
export type { WriteOptions } from './write.js';
export { Bar, createBar as bar } from './bar.js';
export type { BarUpdate } from './bar.js';
export type { BarOptions, IterableOptions, OutputStream, Postfix } from './options.js';
export type { ProgressIterator } from './adapters/sync.js';
export type { ProgressAsyncIterator } from './adapters/async.js';
export type { ProgressStream, StreamOptions } from './adapters/stream.js';
export { gather } from './promises/gather.js';
export { asCompleted } from './promises/as-completed.js';
export { map } from './promises/map.js';
export { TimeoutError } from './promises/errors.js';
export type {
  AsCompletedOptions,
  CallContext,
  GatherOptions,
  IndexedSettledResult,
  MapOptions,
  TaskOptions,
} from './promises/options.js';
export type { PromiseArrayIterator, PromiseArrayOptions } from './promises/promise-array.js';
