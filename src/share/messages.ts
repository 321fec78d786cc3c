/**
 * The rare messages of a shared bar: a remote's `set({ desc, postfix })` (through a `BroadcastChannel` from
 * a thread, as a line on the socket from a process), and the lines a child process sends on the socket.
 */
import type { RemoteUpdate } from '../bar-api.js';
import { typeError, unknownOption } from '../options/checks.js';
import { formatPostfix } from '../options/postfix.js';

/** A `set()` as it travels: the postfix already turned into its text, so any value can be given. */
export interface SetMessage {
  desc?: string;
  postfix?: string;
}

/**
 * A line a child process sends (JSON, one per line): the first carries the handle's `key`; `n` is its count
 * so far (not a step: a line lost or repeated cannot skew the bar); `ack` asks for a newline back once the
 * bar has it.
 */
export interface WireMessage extends SetMessage {
  key?: string;
  n?: number;
  ack?: boolean;
}

/** `remote.set(update)`'s argument, checked as `bar.set()` checks its own. */
export function checkRemoteUpdate(update: RemoteUpdate): SetMessage {
  if (update === null || typeof update !== 'object') throw typeError('update', 'an object', update);
  for (const key of Object.keys(update)) {
    if (key !== 'desc' && key !== 'postfix') throw unknownOption(key, 'remote.set() takes `desc` and `postfix`');
  }
  const message: SetMessage = {};
  if ('desc' in update) {
    if (typeof update.desc !== 'string') throw typeError('desc', 'a string', update.desc);
    message.desc = update.desc;
  }
  if ('postfix' in update) message.postfix = formatPostfix(update.postfix);
  return message;
}

/** A set message from another thread or process, if it is one (anything else is dropped). */
export function setMessageOf(data: unknown): SetMessage | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const { desc, postfix } = data as Record<string, unknown>;
  const message: SetMessage = {};
  if (typeof desc === 'string') message.desc = desc;
  if (typeof postfix === 'string') message.postfix = postfix;
  return message.desc !== undefined || message.postfix !== undefined ? message : undefined;
}
