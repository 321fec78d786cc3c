/**
 * Signals and the program's own handlers, and what the bars must not change about the program: its
 * `write` hooks on stdout, its stdout errors. Real programs (test-support/fixtures/*.js, importing the
 * built library) in a real terminal or with plain pipes; the plain-output details with a fake clock and an
 * in-memory stream.
 */
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { progress } from '../src/index.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import {
  describeRun,
  endedBySigint,
  ensureBuilt,
  fixturesDir,
  renderPtyScreen,
  runInPty,
  type PtyScreen,
  type RunOptions,
  type RunResult,
} from '../test-support/pty.js';

beforeAll(() => {
  ensureBuilt();
}, 180_000);

const CTRL_C = '\u0003';
const json = (o: object): string[] => [JSON.stringify(o)];

/** A whole bar line for `desc` (an ended bar may have a mark before n, `✗ 2/600`): captures n. */
const barLine = (desc: string): RegExp => new RegExp(`^${desc}: +\\d+%\\|[█▏▎▍▌▋▊▉ ]+\\| (?:\\S )?(\\d+)/\\d+ \\[[^\\]]+\\]`);

async function run(fixture: string, options: RunOptions): Promise<{ r: RunResult; screen: PtyScreen }> {
  const r = await runInPty(fixture, options);
  return { r, screen: await renderPtyScreen(r) };
}

/** Runs assertions; on failure, the message gets the screen as it was. */
function onScreen(r: RunResult, screen: PtyScreen, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof Error) error.message += `\n\nThe screen:\n${describeRun(r, screen)}`;
    throw error;
  }
}

/** Plain output's lines (stdout and stderr of the program, in order). */
const plainLines = (r: RunResult): string[] => r.bytes.split('\n').filter((l) => l !== '');

describe('plain output: the final line', () => {
  test('a job that ends just after a status line does not print the same line twice', () => {
    const stream = new MemoryStream();
    const clock = new FakeClock();
    for (const _ of progress(100, { stream, clock: clock.read, desc: 'ci', plainInterval: 1_000 })) clock.advance(100);
    const lines = stream.lines;
    expect(lines.at(-1)).toMatch(/^ci: 100%\|█+\| 100\/100 \[00:10<00:00, 10\.0 it\/s\]$/);
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines).toHaveLength(10);

    const manual = new MemoryStream();
    const bar = progress.bar({ stream: manual, clock: clock.read, desc: 'job', total: 10, plainInterval: 1_000 });
    for (let i = 0; i < 10; i++) {
      clock.advance(100);
      bar.update(1);
    }
    bar.close();
    expect(manual.lines).toEqual([expect.stringMatching(/^job: 100%\|█+\| 10\/10 \[00:01<00:00, 10\.0 it\/s\]$/)]);
  });

  test('the final line is still printed when it differs from the last status line', () => {
    const stream = new MemoryStream();
    const clock = new FakeClock();
    const bar = progress.bar({ stream, clock: clock.read, desc: 'job', total: 10, plainInterval: 1_000 });
    clock.advance(1_000);
    bar.update(5); // a status line at 5/10
    bar.close(); // stopped at 5/10, same second: the final line differs (no ETA)
    expect(stream.lines).toHaveLength(2);
    expect(stream.lines[0]).toMatch(/ 5\/10 \[00:01</);
    expect(stream.lines[1]).toMatch(/ 5\/10 \[00:01/);
    expect(stream.lines[1]).not.toBe(stream.lines[0]);
  });
});

describe("the program's stdout", () => {
  test('a tee installed on stdout while bars are live keeps receiving output after they close', async () => {
    const { r, screen } = await run('tee.js', { cols: 60, rows: 10 });
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(0);
      const seen = /tee saw (\[.*\])/.exec(screen.all.join(''))?.[1];
      expect(JSON.parse(seen ?? 'null')).toEqual(['during\n', 'after\n', 'second\n', 'end\n']);
      const rows = screen.all.filter((row) => row !== '' && !row.startsWith('tee saw'));
      expect(rows).toEqual([
        'during',
        expect.stringMatching(barLine('first')),
        'after',
        'second',
        expect.stringMatching(barLine('second')),
        'end',
      ]);
    });
  });

});
