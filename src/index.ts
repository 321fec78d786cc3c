export { progress } from './progress.js';
export { write } from './write.js';
export type { WriteOptions } from './write.js';
export { createBar as bar } from './bar.js';
export type { Bar, BarUpdate } from './bar-api.js';
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
