/**
 * The docs are tests: every fenced block of README.md and docs/*.md runs in a real terminal, as written,
 * and what the docs say it prints is what it prints. The conventions (what may be filled in, what is
 * compared and how tolerantly) are at the top of test-support/doctest.ts; one test per block, named by
 * file:line and heading.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import {
  blockModule,
  cleanUp,
  describeBlockRun,
  extractBlocks,
  fillPlaceholders,
  linePattern,
  planBlocks,
  planDocs,
  removePackedTarball,
  runBlock,
  runProblems,
  setupProblems,
  type Plan,
  type RunPlan,
} from '../test-support/doctest.js';
import { barLineProblem, pictureProblems } from '../test-support/doctest-picture.js';
import { ensureBuilt } from '../test-support/pty.js';

const FILES = ['README.md', 'docs/architecture.md', 'docs/estimator.md', 'docs/benchmarks.md', 'docs/testing.md'];

/**
 * Blocks that fail because of a known, filed defect: key (file § heading, `#2` for the second block under a
 * heading) → the defect. Their tests are skipped, and named so; an entry that names no block fails the
 * suite, so nothing lingers here. Empty since issue 8's fixes landed.
 */
const KNOWN_DEFECTS: Record<string, string> = {
};

const plans = planDocs(FILES);
const title = (p: Plan): string => `${p.id} § ${p.block.heading || '(top)'}${p.key.includes(' #') ? ` ${p.key.slice(p.key.lastIndexOf('#'))}` : ''}`;

// What did not run is said at the end of every run, not only in Jest's verbose list.
afterAll(() => {
  removePackedTarball();
  const notRun = plans.flatMap((p) => {
    if (p.kind === 'skip') return [`  ${p.id} (${p.key}): skipped, ${p.reason}`];
    const known = p.kind === 'run' ? KNOWN_DEFECTS[p.key] : undefined;
    return known === undefined ? [] : [`  ${p.id} (${p.key}): known defect, ${known}`];
  });
  if (notRun.length > 0) process.stderr.write(`\nDoc blocks that did not run (__tests__/docs.test.ts):\n${notRun.join('\n')}\n`);
});

let built: Promise<void> | undefined;
const ready = (): Promise<void> => (built ??= Promise.resolve().then(ensureBuilt));

describe('the marks the docs use (test-support/doctest.ts)', () => {
  const md = [
    '# Title', //                                      1
    '', //                                             2
    '<!-- doctest: setup', //                          3
    "import { records } from 'doctest-prelude';", //   4
    'const rows = [1, 2];', //                         5
    '-->', //                                          6
    '```ts', //                                        7
    'for (const r of progress(rows)) { … } // prints: 100%', // 8
    '```', //                                          9
    '', //                                             10
    '```', //                                          11
    'output line', //                                  12
    '```', //                                          13
    '', //                                             14
    'Some prose.', //                                  15
    '', //                                             16
    '```', //                                          17
    'an unmarked block after prose', //                18
    '```', //                                          19
    '<!-- doctest: skip needs a GPU -->', //           20
    '```js', //                                        21
    'gpu()', //                                        22
    '```', //                                          23
    '<!-- doctest: ctrl-c after " it [" -->', //       24
    '<!-- doctest: exit 1 -->', //                     25
    '```sh', //                                        26
    'taqaddum', //                                     27
    '```', //                                          28
    '<!-- doctest: picture a bar -->', //              29
    '```', //                                          30
    'lines: 4200 it [00:03, 1.31k it/s]', //           31
    '```', //                                          32
    '',
  ].join('\n');
  const plans = planBlocks(extractBlocks('x.md', md));

  test('each block is planned from the marks before it', () => {
    expect(plans.map((p) => [p.block.line, p.kind])).toEqual([
      [7, 'run'],
      [11, 'output'],
      [17, 'error'],
      [21, 'skip'],
      [26, 'run'],
      [30, 'picture'],
    ]);
    const [first, , unmarked, skipped, shell] = plans as [RunPlan, Plan, Plan, Plan, RunPlan];
    expect(first.setup).toBe("import { records } from 'doctest-prelude';\nconst rows = [1, 2];");
    expect(first.output?.line).toBe(11);
    expect(first.prints).toEqual(['100%']);
    expect(first.key).toBe('x.md § Title');
    expect(unmarked.kind === 'error' && unmarked.message).toMatch(/untyped block/);
    expect(skipped.kind === 'skip' && skipped.reason).toBe('needs a GPU');
    expect([shell.ctrlC, shell.exit, shell.key]).toEqual([' it [', 1, 'x.md § Title #5']);
  });

  test('a mark followed by prose, an unknown mark and a skip without reason are errors', () => {
    expect(() => extractBlocks('x.md', '<!-- doctest: skip why -->\nprose\n')).toThrow(/right before a block/);
    const bad = planBlocks(extractBlocks('x.md', '<!-- doctest: skipp x -->\n```js\n1\n```\n<!-- doctest: skip -->\n```js\n2\n```\n'));
    expect(bad.map((p) => p.kind === 'error' && p.message)).toEqual([expect.stringMatching(/unknown doctest mark/), expect.stringMatching(/needs a reason/)]);
  });

  test('only `{ … }` is filled, and `using` is down-levelled for Node 20', () => {
    expect(fillPlaceholders('for (const x of y) { … }\nconst s = "…";')).toBe('for (const x of y) {   }\nconst s = "…";');
    const [plan] = planBlocks(extractBlocks('x.md', '```ts\n{ using bar = progress.bar(); }\n```\n')) as [RunPlan];
    const js = blockModule(plan);
    expect(js).not.toMatch(/\busing bar\b/);
    expect(js).toMatch(/Symbol\.dispose|__addDisposableResource/);
  });

  test('a setup provides only what the block lacks', () => {
    const plan = (setup: string, code: string): RunPlan =>
      planBlocks(extractBlocks('x.md', `<!-- doctest: setup\n${setup}\n-->\n\`\`\`js\n${code}\n\`\`\`\n`))[0] as RunPlan;
    expect(setupProblems(plan("import fs from 'node:fs';\nconst rows = [1];", 'use(rows);'))).toEqual([]);
    expect(setupProblems(plan('const rows = [1]; const extra = 2;', 'use(rows);'))).toEqual([
      'the setup declares `extra`, which the block does not use',
    ]);
    expect(setupProblems(plan('const rows = [1];', 'const rows = [2]; use(rows);'))).toEqual([
      'the setup provides `rows`, which the block declares itself',
    ]);
  });

  test('pictures are read back and drawn again by the formatter', () => {
    expect(pictureProblems('lines: 4200 it [00:03, 1.31k it/s]\n')).toEqual({ checked: 1, problems: [] });
    const wrong = pictureProblems('rows:    42%|████▏     | 420/1000 [00:03<00:04, 123 it/s]\n');
    expect(wrong.problems).toEqual([expect.stringContaining('rows:  42%|')]);
    expect(pictureProblems('not a bar\n').problems).toEqual([expect.stringMatching(/neither a bar/)]);
  });
});

describe('the runner notices a block that does not do what its docs say', () => {
  const doc = (code: string, output: string): RunPlan =>
    planBlocks(extractBlocks('x.md', `\`\`\`js\n${code}\n\`\`\`\n\n\`\`\`\n${output}\n\`\`\`\n`))[0] as RunPlan;

  test.concurrent('wrong output, a failing exit and a warning are all reported; the right output passes', async () => {
    await ready();
    const code = "import { progress } from 'taqaddum';\nfor (const i of progress(3, { desc: 'n' })) {}\nconsole.log('done');";
    const good = await runBlock(doc(code, 'n: 100%|██████| 3/3 [00:00<00:00, 9.99k it/s]\ndone'));
    const bad = await runBlock(doc(`${code}\nprocess.emitWarning('careful');\nprocess.exitCode = 3;`, 'n: 100%|██████| 4/4 [00:00<00:00, 1 it/s]\ndone'));
    try {
      expect(runProblems(good)).toEqual([]);
      expect(runProblems(bad)).toEqual([
        'it exited with status 3, not 0',
        expect.stringContaining('Node printed a warning: (node:'),
        expect.stringContaining('the screen is not what x.md:'),
      ]);
    } finally {
      cleanUp(good);
      cleanUp(bad);
    }
  }, 60_000);
});

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
    case 'picture':
      test(`${name}: a picture (${plan.what}), drawn as the library draws it`, () => {
        const { checked, problems } = pictureProblems(plan.block.text);
        expect(checked).toBeGreaterThan(0);
        if (problems.length > 0) throw new Error(`${plan.id}:\n- ${problems.join('\n- ')}`);
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
      const checks = [
        plan.output ? `output at line ${plan.output.line}` : '',
        ...plan.prints.map(() => 'a prints: comment'),
        ...plan.pictures.map(() => 'a picture in a comment'),
      ]
        .filter((c) => c !== '')
        .join(', ');
      test.concurrent(
        `${name}: runs${checks ? ` and prints what the docs show (${checks})` : ''}`,
        async () => {
          await ready();
          expect(setupProblems(plan as RunPlan)).toEqual([]);
          const pictures = plan.pictures.map(barLineProblem).filter((p) => p !== '');
          if (pictures.length > 0) throw new Error(`${plan.id}: a picture in a comment:\n- ${pictures.join('\n- ')}`);
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
