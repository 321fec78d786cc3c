// Kept in dist/index.d.ts (`preserve`): the types name Node's (`progress.stream()` is a `Transform`,
// chunks default to `Buffer`) and `Symbol.dispose`, and since TypeScript 6 a project loads no
// `@types/*` package unless its `types` option lists it. These load them for any project that imports
// taqaddum: @types/node (an optional peer dependency) and the lib that declares `Disposable`.
/// <reference types="node" preserve="true" />
/// <reference lib="esnext.disposable" preserve="true" />
export { progress } from './progress.js';
export { write } from './write.js';
export { formatBytes, formatDuration, formatProgress, formatRate, formatSI } from './formatters.js';
export type { BytesOptions, ProgressInfo, RateOptions, SIOptions } from './formatters.js';
export type { WriteOptions } from './write.js';
export { observe } from './observe.js';
export type { BarSnapshot } from './observe.js';
export { createBar as bar } from './bar.js';
export type { Bar, BarHandle, BarUpdate, FailedTask, PendingTask, Postfix, RemoteBar, RemoteUpdate, TasksBar } from './bar-api.js';
export { attach } from './share/attach.js';
export type { BarOptions, FormatFunction, FormatState, OutputMode, OutputStream } from './options/bar.js';
export type { IterableOptions } from './options/iterable.js';
export type { ProgressIterator } from './adapters/sync.js';
export type { ProgressAsyncIterator } from './adapters/async.js';
export type { ProgressStream } from './adapters/stream.js';
export type { StreamOptions } from './options/stream.js';
export { gather } from './promises/gather.js';
export { asCompleted } from './promises/as-completed.js';
export { map } from './promises/map.js';
export { TimeoutError } from './promises/errors.js';
export type { AsCompletedOptions, GatherOptions, MapOptions, TaskOptions } from './options/tasks.js';
export type { CallContext, IndexedSettledResult } from './promises/types.js';
export type { PromiseArrayIterator, PromiseArrayOptions } from './promises/promise-array.js';
