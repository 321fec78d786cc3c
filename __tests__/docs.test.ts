/**
 * The docs are tests: every fenced block of README.md and docs/*.md runs in a real terminal, as written,
 * and what the docs say it prints is what it prints. The conventions (what may be filled in, what is
 * compared and how tolerantly) are at the top of test-support/doctest.ts; one test per block, named by
 * file:line and heading.
 */
import { describe, expect, test } from '@jest/globals';
import {
  cleanUp,
  describeBlockRun,
  linePattern,
  planDocs,
  runBlock,
  runProblems,
  setupProblems,
  type Plan,
  type RunPlan,
} from '../test-support/doctest.js';
import { ensureBuilt } from '../test-support/pty.js';

const FILES = ['README.md', 'docs/architecture.md', 'docs/estimator.md', 'docs/benchmarks.md'];

/**
 * Blocks that fail because of a defect listed in issue 8 that is being fixed elsewhere: key (file § heading,
 * `#2` for the second block under a heading) → the defect. Their tests are skipped, and named so; empty this
 * list once the fixes are merged. An entry that names no block fails the suite, so nothing lingers here.
 */
const KNOWN_DEFECTS: Record<string, string> = {
  'README.md § Cancellation':
    'defect 1: a `process.once(\'SIGINT\')` handler does not count, the program is killed by SIGINT before its loop rejects',
  'README.md § Recipe: a data job':
    'defect 13: `timeout` at concurrency 16 prints MaxListenersExceededWarning (11 abort listeners on one signal)',
};

const plans = planDocs(FILES);
const title = (p: Plan): string => `${p.id} § ${p.block.heading || '(top)'}${p.key.includes(' #') ? ` ${p.key.slice(p.key.lastIndexOf('#'))}` : ''}`;

let built: Promise<void> | undefined;
const ready = (): Promise<void> => (built ??= Promise.resolve().then(ensureBuilt));

describe('every block is accounted for', () => {
  test('each known defect names a block that runs', () => {
    const runnable = new Set(plans.filter((p) => p.kind === 'run').map((p) => p.key));
    expect(Object.keys(KNOWN_DEFECTS).filter((k) => !runnable.has(k))).toEqual([]);
  });

  test('blocks are found in every file that has them', () => {
    expect(plans.filter((p) => p.block.file === 'README.md').length).toBeGreaterThan(15);
    expect(plans.some((p) => p.block.file === 'docs/architecture.md')).toBe(true);
  });

  test('the tolerant comparison takes only what varies', () => {
    const line = 'rows:  42%|█████████████▍                  | 420/1000 [00:03<00:04, 123 it/s]';
    expect(linePattern(line).test('rows:  42%|███████████▍                    | 420/1000 [01:13<1:00:04, 1.31k it/s]')).toBe(true);
    expect(linePattern(line).test('rows:  43%|███████████▍                    | 430/1000 [00:03<00:04, 123 it/s]')).toBe(false);
    expect(linePattern(line).test('rows:  42%|█████████████▍                  | 420/1000 [00:03<00:04, 123 B/s]')).toBe(false);
    const bytes = 'a: 100%|████| 1.05 MB/1.05 MB [00:00<00:00, 150 MB/s]';
    expect(linePattern(bytes).test('a: 100%|█████| 1.05 MB/1.05 MB [00:01<00:00, 980 kB/s]')).toBe(true);
    expect(linePattern(bytes).test('a: 100%|█████| 1.06 MB/1.06 MB [00:01<00:00, 980 kB/s]')).toBe(false);
  });
});

for (const plan of plans) {
  const name = title(plan);
  switch (plan.kind) {
    case 'skip':
      test.skip(`${name}: skipped, ${plan.reason}`, () => {});
      break;
    case 'text':
      test(`${name}: not run, it is ${plan.what}`, () => {
        expect(plan.what).not.toBe('');
      });
      break;
    case 'output':
      test(`${name}: the output of the block at line ${plan.of.line}, compared in its test`, () => {
        expect(plans.some((p) => p.kind === 'run' && p.output === plan.block)).toBe(true);
      });
      break;
    case 'error':
      test(`${name}: is marked correctly`, () => {
        throw new Error(`${plan.id}: ${plan.message}`);
      });
      break;
    case 'run': {
      const known = KNOWN_DEFECTS[plan.key];
      if (known !== undefined) {
        test.skip(`${name}: KNOWN DEFECT, ${known}`, () => {});
        break;
      }
      const checks = [plan.output ? `output at line ${plan.output.line}` : '', ...plan.prints.map(() => 'a prints: comment')]
        .filter((c) => c !== '')
        .join(', ');
      test.concurrent(
        `${name}: runs${checks ? ` and prints what the docs show (${checks})` : ''}`,
        async () => {
          await ready();
          expect(setupProblems(plan as RunPlan)).toEqual([]);
          const run = await runBlock(plan as RunPlan);
          try {
            const problems = runProblems(run);
            if (problems.length > 0) {
              throw new Error(`${plan.id} (${plan.key}):\n- ${problems.join('\n- ')}\n${describeBlockRun(run)}`);
            }
            // DOCTEST_SHOW=1 prints every final screen (to write or review an output block).
            if (process.env.DOCTEST_SHOW !== undefined) console.log(`${plan.id}\n${describeBlockRun(run)}`);
          } finally {
            cleanUp(run);
          }
        },
        plan.timeoutMs + 45_000,
      );
      break;
    }
  }
}
