import { setTimeout as sleep } from 'node:timers/promises';
import { progress } from 'taqaddum';

export const title = 'A web ReadableStream that looks like a download (unit: "B")';

function fakeDownload(size, chunk, delay) {
  let sent = 0;
  return new ReadableStream({
    async pull(controller) {
      if (sent >= size) return controller.close();
      await sleep(delay * (0.5 + Math.random()));
      const n = Math.min(chunk, size - sent);
      sent += n;
      controller.enqueue(new Uint8Array(n));
    },
  });
}

export async function run() {
  const size = 48 * 1024 * 1024;
  let received = 0;
  for await (const chunk of progress(fakeDownload(size, 256 * 1024, 12), { desc: 'ubuntu.iso', unit: 'B', total: size })) {
    received += chunk.byteLength;
  }
  if (received !== size) throw new Error(`lost bytes: ${received} of ${size}`);
}
