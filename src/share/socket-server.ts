/**
 * The local server that child processes count through (`child.send(bar.share())`, then
 * `progress.attach(handle)` in the child): a process cannot reach the parent's shared memory, and the
 * parent's side of an IPC channel is the program's (the bar cannot listen on a child it does not know).
 * So `bar.share()` listens on a local socket named in the handle; a child connects to it.
 *
 * The name: an abstract Unix socket on Linux (no file to leave behind), a named pipe on Windows, a socket
 * file in the temporary directory elsewhere (removed when the server closes). A connection counts only
 * once its first line carries the handle's `key`: another local program that finds the socket's name
 * cannot move the bar. Each line is JSON (messages.ts `WireMessage`); `n` is the child's count so far.
 * The server and every connection are unref'd; `close()` (the bar closed) ends them.
 */
import type { Server, Socket } from 'node:net';
import { setMessageOf, type SetMessage, type WireMessage } from './messages.js';

/** Longest line taken from a child; a longer one ends the connection (nothing we send is near it). */
const MAX_LINE = 64 * 1024;

export function socketName(id: string): string {
  if (process.platform === 'win32') return `\\\\.\\pipe\\taqaddum-${process.pid}-${id}`;
  if (process.platform === 'linux') return `\0taqaddum-${process.pid}-${id}`;
  const { tmpdir } = process.getBuiltinModule('node:os');
  const { join } = process.getBuiltinModule('node:path');
  return join(tmpdir(), `taqaddum-${process.pid}-${id.slice(0, 8)}.sock`);
}

export class SocketServer {
  /** The counts of every child that connected, added up (a child's last `n`, once per child). */
  total = 0;
  private readonly server: Server;
  private readonly connections = new Set<Socket>();

  constructor(
    path: string,
    private readonly key: string,
    private readonly onSet: (message: SetMessage) => void,
  ) {
    const net = process.getBuiltinModule('node:net');
    this.server = net.createServer((socket) => this.accept(socket));
    // A failure to listen (no room for the socket file…) leaves children unable to connect: their counts
    // do not reach the bar, and they go on. Not the job's failure.
    this.server.on('error', () => {});
    this.server.listen(path);
    this.server.unref();
  }

  close(): void {
    this.server.close();
    for (const socket of this.connections) socket.destroy();
    this.connections.clear();
  }

  private accept(socket: Socket): void {
    socket.unref();
    this.connections.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => this.connections.delete(socket));
    socket.setEncoding('utf8');
    let trusted = false;
    let counted = 0;
    let pending = '';
    socket.on('data', (chunk: string) => {
      pending += chunk;
      for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 1);
        let message: WireMessage;
        try {
          message = JSON.parse(line) as WireMessage;
        } catch {
          socket.destroy();
          return;
        }
        if (message === null || typeof message !== 'object') continue;
        if (!trusted) {
          if (message.key !== this.key) {
            socket.destroy();
            return;
          }
          trusted = true;
        }
        const n = message.n;
        if (typeof n === 'number' && Number.isFinite(n)) {
          this.total += n - counted;
          counted = n;
        }
        const set = setMessageOf(message);
        if (set !== undefined) this.onSet(set);
        if (message.ack === true) socket.write('\n');
      }
      if (pending.length > MAX_LINE) socket.destroy();
    });
  }
}
