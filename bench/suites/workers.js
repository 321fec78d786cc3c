/**
 * Issue 12, item 1: what counting from a worker thread costs. In one run, interleaved round by round:
 *
 * - `bar.update()` in the main thread, N times (the reference);
 * - `remote.update()` in a worker thread (`progress.attach(bar.share())`), N times, timed in the worker,
 *   while the main thread's bar draws its frames from the shared counters;
 * - a `postMessage` per item from a worker to a main-thread listener that calls `bar.update()`: timed on
 *   the main thread from "go" to the last message handled (what a person waits for), over fewer items.
 *
 * Every bar draws into a fake terminal with a live renderer, and each run checks that the bar's count is
 * exact. Times are wall-clock time of the thread doing the counting (the figures are per item; CPU time is
 * per process, which would add the other thread's). This file is also the worker's script.
 */
import { once } from 'node:events';
import { isMainThread, MessageChannel, parentPort, Worker } from 'node:worker_threads';
import { fakeTTY, median, now, summary } from '../lib.js';
import { progress } from '../../dist/index.js';

export const title = 'Worker threads: `remote.update()` against `bar.update()` and a `postMessage` per item (issue 12)';

function countMain(bar, n) {
  for (let i = 0; i < n; i++) bar.update();
}

function countRemote(remote, n) {
  for (let i = 0; i < n; i++) remote.update();
}

function postEach(port, n) {
  for (let i = 0; i < n; i++) port.postMessage(1);
}

// ── the worker: runs what the main thread asks, answers with its own timing ──────────────────────────
if (!isMainThread) {
  parentPort.on('message', ({ kind, handle, port, n }) => {
    if (kind === 'remote') {
      const remote = progress.attach(handle);
      const t0 = now();
      countRemote(remote, n);
      const ms = now() - t0;
      remote.close();
      parentPort.postMessage(ms);
    } else {
      postEach(port, n);
      port.close();
      parentPort.postMessage(0);
    }
  });
}

/** Runs `n` items of `kind` in the worker; resolves to the worker's own time in ms. */
async function inWorker(worker, message, transfer = []) {
  worker.postMessage(message, transfer);
  const [ms] = await once(worker, 'message');
  return ms;
}

async function mainRound(stream, n) {
  const bar = progress.bar({ stream, total: n });
  const t0 = now();
  countMain(bar, n);
  const ms = now() - t0;
  bar.close();
  if (bar.n !== n) throw new Error(`bar.update(): ${bar.n} counted of ${n}`);
  return ms;
}

async function remoteRound(worker, stream, n) {
  const bar = progress.bar({ stream, total: n });
  const ms = await inWorker(worker, { kind: 'remote', handle: bar.share(), n });
  bar.close();
  if (bar.n !== n) throw new Error(`remote.update(): ${bar.n} counted of ${n}`);
  return ms;
}

async function messageRound(worker, stream, n) {
  const bar = progress.bar({ stream, total: n });
  const { port1, port2 } = new MessageChannel();
  let got = 0;
  const done = new Promise((resolve) => {
    port1.on('message', (k) => {
      bar.update(k);
      if (++got === n) resolve();
    });
  });
  const t0 = now();
  await inWorker(worker, { kind: 'messages', port: port2, n }, [port2]);
  await done;
  const ms = now() - t0;
  port1.close();
  bar.close();
  if (bar.n !== n) throw new Error(`postMessage: ${bar.n} counted of ${n}`);
  return ms;
}

export async function run(ctx) {
  const quick = ctx.quick;
  const log = ctx.log ?? (() => {});
  const N = quick ? 200_000 : 10_000_000;
  const M = quick ? 20_000 : 200_000; // a message per item is slow: fewer of them
  const ROUNDS = quick ? 2 : 9;
  const stream = fakeTTY();
  const worker = new Worker(new URL(import.meta.url));
  try {
    log('warming up');
    for (let i = 0; i < 3; i++) {
      await mainRound(stream, N / 10);
      await remoteRound(worker, stream, N / 10);
      await messageRound(worker, stream, M / 10);
    }
    const main = [];
    const remote = [];
    const messages = [];
    for (let r = 0; r < ROUNDS; r++) {
      log(`round ${r + 1}/${ROUNDS}`);
      main.push((await mainRound(stream, N)) * 1e6 / N);
      remote.push((await remoteRound(worker, stream, N)) * 1e6 / N);
      messages.push((await messageRound(worker, stream, M)) * 1e6 / M);
    }
    const section = `Counting from a worker thread (${N.toLocaleString('en-US')} items; a message per item: ${M.toLocaleString('en-US')})`;
    const ref = median(main);
    const row = (name, xs, target, pass) => {
      const s = summary(xs);
      return {
        section,
        name,
        value: s.value,
        min: s.min,
        max: s.max,
        runs: s.runs,
        unit: 'ns/item',
        reference: `main thread \`bar.update()\`: ${ref.toFixed(2)} ns/item`,
        ratio: median(xs.map((x, i) => x / main[i])),
        target,
        pass,
      };
    };
    const ratio = (xs) => median(xs.map((x, i) => x / main[i]));
    return {
      rows: [
        row('`bar.update()` in the main thread (the reference)', main, undefined, undefined),
        row('`remote.update()` in a worker thread', remote, '≤ 2× `bar.update()`', ratio(remote) <= 2),
        row('a `postMessage` per item, `bar.update()` in a listener', messages, undefined, undefined),
      ],
      notes: [
        'Wall time of the thread that counts (a worker times its own loop); per round the three run back to back, each into a new bar drawing on a fake terminal, and each count is checked exact.',
        '`remote.update()` writes this thread\'s counter in shared memory (a plain float64 store, no atomic operation, no message); the bar adds the counters up when it samples, before each frame.',
        `A message per item is ${ratio(messages).toFixed(0)}× \`bar.update()\` (median of the rounds): what a progress bar costs when every update from a worker is a message (what tqdm, rich and node-progress leave to their users: tqdm #285, rich #121, node-progress #195).`,
      ],
    };
  } finally {
    await worker.terminate();
  }
}
