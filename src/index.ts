export { progress } from './progress.js';
export { write } from './write.js';
export type { WriteOptions } from './write.js';
export { Bar, createBar as bar } from './bar.js';
export type { BarUpdate } from './bar.js';
export type { BarOptions, IterableOptions, OutputStream, Postfix } from './options.js';
export type { ProgressIterator } from './adapters/sync.js';
export type { ProgressAsyncIterator } from './adapters/async.js';
