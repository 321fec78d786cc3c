/**
 * Settings from the environment: `TAQADDUM_MODE`, `TAQADDUM_MIN_INTERVAL`, `TAQADDUM_PLAIN_INTERVAL` and
 * `TAQADDUM_WIDTH` stand for the defaults (an option in code wins), `CI` means plain lines even on a
 * terminal unless a mode says otherwise, and a bad value is reported once per variable and ignored.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { progress } from '../src/index.js';
import { resolveOptions } from '../src/options/bar.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { ensureBuilt, renderPtyScreen, repoRoot, runInPty } from '../test-support/pty.js';
import { renderScreen } from '../test-support/screen.js';

const ESC = '\u001B';
const SETTINGS = ['CI', 'TAQADDUM_MODE', 'TAQADDUM_MIN_INTERVAL', 'TAQADDUM_PLAIN_INTERVAL', 'TAQADDUM_WIDTH'];

afterEach(() => {
  for (const name of SETTINGS) delete process.env[name];
  jest.restoreAllMocks();
});

function setEnv(vars: Record<string, string>): void {
  Object.assign(process.env, vars);
}

/** A sync loop of 50 items (10 ms each by a fake clock) on `stream`; returns what was written. */
function loop(stream: MemoryStream, options: object = {}): string {
  const clock = new FakeClock();
  for (const _ of progress(50, { desc: 'rows', stream, clock: clock.read, captureOutput: false, ...options })) clock.advance(10);
  return stream.text;
}

const terminal = (): MemoryStream => new MemoryStream({ isTTY: true, columns: 100, rows: 24 });

describe('defaults from the environment; an option in code wins', () => {
  test.each([
    ['TAQADDUM_MIN_INTERVAL', '250', 'minInterval', 100, 250, 40],
    ['TAQADDUM_PLAIN_INTERVAL', '60000', 'plainInterval', 10_000, 60_000, 5],
    ['TAQADDUM_PLAIN_INTERVAL', 'Infinity', 'plainInterval', 10_000, Infinity, 0],
    ['TAQADDUM_WIDTH', '60', 'width', undefined, 60, 120],
    ['TAQADDUM_MODE', 'json', 'mode', 'auto', 'json', 'plain'],
    ['TAQADDUM_MODE', 'LIVE', 'mode', 'auto', 'live', 'auto'],
  ] as const)("%s=%s: the default of `%s` goes from %p to %p; %p given in code wins", (variable, value, option, builtIn, fromEnv, inCode) => {
    const read = (options: object = {}): unknown => (resolveOptions(options) as unknown as Record<string, unknown>)[option];
    expect(read()).toBe(builtIn);
    setEnv({ [variable]: value });
    expect(read()).toBe(fromEnv);
    expect(read({ [option]: inCode })).toBe(inCode);
    setEnv({ [variable]: '  ' }); // blank: as if unset
    expect(read()).toBe(builtIn);
  });

  test('TAQADDUM_MODE=json turns plain lines into JSON lines; mode: "plain" in code keeps them plain', () => {
    setEnv({ TAQADDUM_MODE: 'json' });
    const json = loop(new MemoryStream());
    expect(JSON.parse(json.trim().split('\n').at(-1) as string)).toMatchObject({ desc: 'rows', n: 50, done: true });
    expect(loop(new MemoryStream(), { mode: 'plain' })).toMatch(/^rows: 100%\|█+\| 50\/50 \[00:00<00:00, 100 it\/s\]\n$/);
  });

  test('TAQADDUM_PLAIN_INTERVAL=Infinity: only the final line in a log; TAQADDUM_PLAIN_INTERVAL=100: one every 0.1 s', () => {
    setEnv({ TAQADDUM_PLAIN_INTERVAL: 'Infinity' });
    const quiet = new MemoryStream();
    loop(quiet);
    expect(quiet.lines).toHaveLength(1);
    setEnv({ TAQADDUM_PLAIN_INTERVAL: '100' });
    const chatty = new MemoryStream();
    loop(chatty);
    expect(chatty.lines).toHaveLength(5); // at 0.1, 0.2, 0.3, 0.4 s; the final line is the last of them
  });

  test('TAQADDUM_WIDTH=60: lines 60 columns wide on a terminal 100 wide', async () => {
    setEnv({ TAQADDUM_WIDTH: '60' });
    const screen = await renderScreen(loop(terminal()), 100, 24);
    expect(screen.text).toMatch(/^rows: 100%\|█+\| 50\/50 \[00:00<00:00, 100 it\/s\]$/);
    expect(screen.text).toHaveLength(60);
  });

  test('TAQADDUM_MIN_INTERVAL=1000: a 0.5 s loop on a terminal draws its first frame and its last only', () => {
    const frames = (text: string): number => text.split(`${ESC}[?2026h`).length - 1;
    const often = frames(loop(terminal()));
    setEnv({ TAQADDUM_MIN_INTERVAL: '1000' });
    expect(frames(loop(terminal()))).toBe(2);
    expect(often).toBeGreaterThan(4);
  });
});

describe('CI', () => {
  test.each(['true', '1', 'yes', 'woodpecker'])('CI=%s: plain lines even on a terminal', (value) => {
    setEnv({ CI: value });
    const text = loop(terminal());
    expect(text).not.toContain(ESC);
    expect(text).toMatch(/^rows: 100%\|█+\| 50\/50 \[00:00<00:00, 100 it\/s\]\n$/);
  });

  test.each(['', '0', 'false', 'FALSE'])('CI=%p: frames on a terminal', (value) => {
    setEnv({ CI: value });
    expect(loop(terminal())).toContain(`${ESC}[?2026h`);
  });

  test('CI with TAQADDUM_MODE=live, or with mode: "live" in code: frames; mode: "auto" in code is the default, so plain', () => {
    setEnv({ CI: 'true' });
    expect(loop(terminal(), { mode: 'auto' })).not.toContain(ESC);
    expect(loop(terminal(), { mode: 'live' })).toContain(`${ESC}[?2026h`);
    setEnv({ TAQADDUM_MODE: 'live' });
    expect(loop(terminal())).toContain(`${ESC}[?2026h`);
    setEnv({ TAQADDUM_MODE: 'json' });
    expect(JSON.parse(loop(terminal()))).toMatchObject({ n: 50, done: true });
  });
});

describe('a bad value is reported once per variable and ignored', () => {
  test('each bad value: one line naming the variable, the value, what was expected and what is used; no more for later bars', () => {
    const written: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    setEnv({ TAQADDUM_MODE: 'fancy', TAQADDUM_MIN_INTERVAL: 'fast', TAQADDUM_PLAIN_INTERVAL: '-5', TAQADDUM_WIDTH: '-3' });
    for (let i = 0; i < 3; i++) {
      const r = resolveOptions({});
      expect([r.mode, r.minInterval, r.plainInterval, r.width]).toEqual(['auto', 100, 10_000, undefined]);
      const stream = new MemoryStream();
      loop(stream);
      expect(stream.lines).toHaveLength(1); // the bar works with the defaults
    }
    setEnv({ TAQADDUM_MODE: 'fancier', TAQADDUM_WIDTH: '1e9', TAQADDUM_MIN_INTERVAL: 'Infinity', TAQADDUM_PLAIN_INTERVAL: 'NaN' });
    expect(resolveOptions({}).width).toBeUndefined();
    expect(written.sort()).toEqual([
      'taqaddum: ignoring TAQADDUM_MIN_INTERVAL=`fast` (expected a non-negative number of milliseconds); using the default, 100\n',
      'taqaddum: ignoring TAQADDUM_MODE=`fancy` (expected auto, live, plain or json); using auto\n',
      'taqaddum: ignoring TAQADDUM_PLAIN_INTERVAL=`-5` (expected a non-negative number of milliseconds, or Infinity); using the default, 10000\n',
      'taqaddum: ignoring TAQADDUM_WIDTH=`-3` (expected a number of columns from 1 to 1000); using the default width\n',
    ]);
  });
});

describe('in a real process', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  test('CI=1 on a terminal: plain lines, no escape code; TAQADDUM_MODE=live with it: the bar redrawn in place', async () => {
    const plain = await runInPty('mode.js', { env: { CI: '1', TAQADDUM_PLAIN_INTERVAL: '300' } });
    expect(plain.exitCode).toBe(0);
    expect(plain.bytes).not.toContain(ESC);
    const rows = (await renderPtyScreen(plain)).rows.filter((r) => r !== '');
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.every((r) => /^rows: +\d+%\|[█▏▎▍▌▋▊▉ ]+\| \d+\/100 \[/.test(r))).toBe(true);
    const live = await runInPty('mode.js', { env: { CI: '1', TAQADDUM_MODE: 'live', TAQADDUM_PLAIN_INTERVAL: '300' } });
    expect(live.bytes).toContain(`${ESC}[?2026h`);
    expect((await renderPtyScreen(live)).rows.filter((r) => r !== '')).toEqual([
      expect.stringMatching(/^rows: 100%\|█+\| 100\/100 \[00:01<00:00, 100 it\/s\]$/),
    ]);
  });

  test('bad settings in a process with many bars: each reported once on stderr, before the bars, which run with the defaults', () => {
    const script = join(tmpdir(), `taqaddum-env-${process.pid}.mjs`);
    writeFileSync(
      script,
      `import { progress } from ${JSON.stringify(join(repoRoot, 'dist', 'index.js'))};\n` +
        `for (let b = 0; b < 5; b++) for (const _ of progress(3, { desc: 'bar' + b })) {}\n`,
    );
    const env = { ...process.env, TAQADDUM_MODE: 'fancy', TAQADDUM_MIN_INTERVAL: 'fast', TAQADDUM_WIDTH: '0' };
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', env });
    rmSync(script, { force: true });
    expect(r.status).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines.slice(0, 3).sort()).toEqual([
      expect.stringMatching(/^taqaddum: ignoring TAQADDUM_MIN_INTERVAL=`fast` /),
      expect.stringMatching(/^taqaddum: ignoring TAQADDUM_MODE=`fancy` /),
      expect.stringMatching(/^taqaddum: ignoring TAQADDUM_WIDTH=`0` /),
    ]);
    expect(lines.slice(3)).toEqual([0, 1, 2, 3, 4].map((b) => expect.stringMatching(new RegExp(`^bar${b}: 100%\\|█+\\| 3/3 \\[`))));
  });

  test('the command: TAQADDUM_MODE=json gives its final line as JSON; a bad setting is reported from its bar thread', () => {
    const bin = join(repoRoot, 'dist', 'cli', 'bin.js');
    const env = { ...process.env, TAQADDUM_MODE: 'json', TAQADDUM_PLAIN_INTERVAL: 'often' };
    const r = spawnSync(process.execPath, [bin, '--desc', 'lines'], { input: 'a\nb\nc\n', encoding: 'utf8', env });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('a\nb\nc\n');
    const [warning, last, ...rest] = r.stderr.split('\n');
    expect(warning).toBe(
      'taqaddum: ignoring TAQADDUM_PLAIN_INTERVAL=`often` (expected a non-negative number of milliseconds, or Infinity); using the default, 10000',
    );
    expect(JSON.parse(last as string)).toMatchObject({ desc: 'lines', n: 3, total: null, done: true, outcome: 'done' });
    expect(rest).toEqual(['']);
  });
});
