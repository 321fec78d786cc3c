import { describe, expect, test } from '@jest/globals';
import { progress } from '../src/index.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { renderScreen } from '../test-support/screen.js';

describe('smoke', () => {
  test('a terminal bar ends at 100% on screen', async () => {
    const stream = new MemoryStream({ isTTY: true, columns: 60, rows: 10 });
    const clock = new FakeClock();
    const seen: number[] = [];
    for (const x of progress([1, 2, 3], { desc: 'rows', stream, clock: clock.read })) {
      clock.advance(500);
      seen.push(x);
    }
    expect(seen).toEqual([1, 2, 3]);
    const screen = await renderScreen(stream.text, 60, 10);
    expect(screen.rows[0]).toMatch(/^rows: 100%\|█+\| 3\/3 \[00:01<00:00, 2\.00 it\/s\]$/);
  });
});
