/**
 * `progress.attach(handle)`: a `RemoteBar` counting into the bar that `bar.share()` made the handle of. In
 * the bar's own process (the handle came with its `SharedArrayBuffer`: a worker's `workerData`, a
 * `postMessage`, a piscina task) through shared memory; in another process (it came as JSON, through
 * `child.send()`) through the bar's local socket.
 */
import type { RemoteBar } from '../bar-api.js';
import { checkHandle } from './layout.js';
import { SocketRemote } from './socket-remote.js';
import { ThreadRemote } from './thread-remote.js';

/**
 * Counts into a bar of another thread or process, from its handle (`bar.share()`).
 * @example
 * // worker.js
 * import { workerData } from 'node:worker_threads';
 * import { progress } from 'taqaddum';
 * const remote = progress.attach(workerData.handle);
 * for (const row of rows) { work(row); remote.update(); }
 * remote.close();
 */
export function attach(handle: unknown): RemoteBar {
  const checked = checkHandle(handle);
  return checked.buffer !== undefined ? new ThreadRemote(checked.id, checked.buffer) : new SocketRemote(checked);
}
