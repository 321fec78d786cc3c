/**
 * The doc-test runner: every fenced code block in README.md and docs/*.md runs, in a real pty, as written,
 * and what the docs say it prints is compared with the screen it leaves (__tests__/docs.test.ts).
 *
 * WHAT RUNS. ```js blocks run as they are; ```ts blocks are first transpiled by the `typescript` package
 * (`transpileModule`, target ES2022: types are dropped and `using` is down-levelled, as a TypeScript user's
 * build does; Node 20 cannot run `using` itself); ```sh blocks run with `bash -e -o pipefail` (a failing
 * line fails the block). Each block runs in its own scratch directory (its working directory), where
 * `import 'taqaddum'` finds this checkout (node_modules/taqaddum is a link to it, so the package's
 * `exports` and the built dist/ are used), and `taqaddum` / `npx taqaddum` find dist/cli/bin.js
 * (node_modules/.bin is on PATH; npx runs offline, so it can never fetch the published package).
 * The program runs in a pseudo-terminal of 80 × 24 (test-support/pty.ts) with a time limit (30 s).
 *
 * THE ONLY THINGS FILLED IN are marked in the docs themselves:
 * - `{ … }`, a loop body left out, runs as an empty body `{   }` (same columns);
 * - names a block uses without defining them (`rows`, `files`, `response`) come from a setup that the doc
 *   declares in an HTML comment right before the block (GitHub does not render it; it is in the source):
 *       <!-- doctest: setup
 *       import { textFile } from 'doctest-prelude';
 *       const rows = Array.from({ length: 1000 }, (_, i) => i);
 *       -->
 *   The setup is a JavaScript module that runs first, in the same process; every top-level name it
 *   declares or imports becomes a global the block can use. It provides what the block lacks, nothing
 *   else: no name the block declares or imports itself, and every value it declares (`const rows`) is used
 *   by the block (its imports are free: modules and helpers to build those values with). `doctest-prelude`
 *   (test-support/doctest-prelude/index.js) has a few helpers for setups: `textFile(path, lines)`,
 *   `binaryFile(path, size)`, `readLines(path)`, `records(n, ms)`, `serve(body)` (a local HTTP server),
 *   `sleep(ms)`. For a ```sh block the setup runs just before the shell starts (to make its files).
 * - `<!-- doctest: then CODE -->`: code run after the block, in the same module (e.g. a call of the
 *   function the block defines, which the text around it describes).
 *
 * WHAT IS CHECKED, for every block that runs: it ends on its own within the time limit with status 0 (or
 * the one `exit N` names) and no signal, and prints no Node warning (`(node:123) …Warning`). Where the
 * docs say what it prints:
 * - an untyped block right after it (only blank lines between), or one marked `<!-- doctest: output -->`
 *   after prose: the final screen (scrollback included, trailing blank rows dropped) must be those lines;
 * - a `// prints: TEXT` comment in the block: some row of the final screen must be TEXT;
 * - `<!-- doctest: shows TEXT -->`: the final screen contains TEXT (literally).
 * Lines are compared whole (trailing spaces aside), tolerant only of what varies from run to run:
 * a duration (`00:03`, `1:02:03`) matches any duration; a rate (`123 it/s`, `1.31k it/s`, `12.8 MB/s`,
 * `2.50 s/it`, `? it/s`) matches any rate of the same unit; a bar body (`|████▍     |` after a `%`) matches
 * any bar body (its length follows the width of the rate); `stalled 42s` matches any stall time.
 *
 * OTHER MARKS (HTML comments right before the block, one per comment):
 * - `<!-- doctest: skip REASON -->`: not run; the runner lists it with its reason. Kept rare.
 * - `<!-- doctest: picture WHAT -->`: an untyped block of bars drawn mid-run (no run can stop there to
 *   compare): each bar line, and each pending report under one, must be what the library's formatter
 *   draws for the state the line shows (test-support/doctest-picture.ts). Bar lines in a block's `//`
 *   comments (`// gzip:  42%|█████▏ | 1.8 GB/4.2 GB [00:12<00:16, 150 MB/s]`) are checked the same way.
 * - `<!-- doctest: text WHAT -->`: a block that is neither code to run nor output (a diagram, a formula,
 *   a schematic). Every untyped block needs `picture` or `text`, or must be output as above.
 * - `<!-- doctest: packed -->`: a ```sh block with `npm install taqaddum`, run in a scratch npm project
 *   whose package.json already maps `taqaddum` to the tarball `npm pack` makes of this checkout (npm keeps
 *   a spec that package.json already has), so what is installed is what would be published.
 * - `<!-- doctest: ctrl-c after TEXT -->`: type Ctrl-C into the terminal once the output shows TEXT.
 * - `<!-- doctest: exit N -->`: the status the block ends with (default 0).
 * - `<!-- doctest: terminal COLSxROWS -->`, `<!-- doctest: timeout SECONDS -->`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { commentPictures } from './doctest-picture.js';
import { renderPtyScreen, repoRoot, runInPty, type PtyScreen, type RunResult, type Step } from './pty.js';

/** A fenced block as it stands in a Markdown file. */
export interface Block {
  /** Path relative to the repository root: `README.md`, `docs/estimator.md`. */
  file: string;
  /** Line of the opening fence (1-based). */
  line: number;
  /** The fence's info string: `ts`, `js`, `sh`, or `''`. */
  lang: string;
  /** The block's lines, each ending with `\n`. */
  text: string;
  /** The nearest heading above it (without the `#`s). */
  heading: string;
  /** `<!-- doctest: … -->` comments right before it. */
  directives: Directive[];
  /** Only blank lines (and doctest comments) separate it from the previous block. */
  followsBlock: boolean;
}

export interface Directive {
  kind: string;
  /** Everything after the kind (trimmed; may span lines). */
  arg: string;
  line: number;
}

export type Plan = RunPlan | SkipPlan | TextPlan | PicturePlan | OutputPlan | ErrorPlan;

interface PlanBase {
  block: Block;
  /** `README.md:31` */
  id: string;
  /** `README.md § Usage` (`#2`, `#3` for the next blocks under the same heading): stable while lines move. */
  key: string;
}

export interface RunPlan extends PlanBase {
  kind: 'run';
  lang: 'js' | 'ts' | 'sh';
  setup: string | undefined;
  then: string | undefined;
  /** The untyped block that shows what this one prints. */
  output: Block | undefined;
  /** `// prints: TEXT` comments. */
  prints: string[];
  /** Bar lines shown in `//` comments (checked as pictures, see test-support/doctest-picture.ts). */
  pictures: string[];
  shows: string[];
  ctrlC: string | undefined;
  exit: number;
  packed: boolean;
  cols: number;
  rows: number;
  timeoutMs: number;
}

export interface SkipPlan extends PlanBase {
  kind: 'skip';
  reason: string;
}

export interface TextPlan extends PlanBase {
  kind: 'text';
  what: string;
}

export interface PicturePlan extends PlanBase {
  kind: 'picture';
  what: string;
}

export interface OutputPlan extends PlanBase {
  kind: 'output';
  of: Block;
}

export interface ErrorPlan extends PlanBase {
  kind: 'error';
  message: string;
}

const DIRECTIVE_START = '<!-- doctest:';
/** A block's time limit unless `timeout` says otherwise: generous, for a loaded 2-core CI machine. */
const DEFAULT_TIMEOUT_MS = 30_000;
const KINDS = new Set(['skip', 'text', 'picture', 'output', 'setup', 'then', 'packed', 'ctrl-c', 'exit', 'shows', 'terminal', 'timeout']);

/** The fenced blocks of a Markdown file, with the doctest comments before each. */
export function extractBlocks(file: string, source: string): Block[] {
  const lines = source.split('\n');
  const blocks: Block[] = [];
  let heading = '';
  let pending: Directive[] = [];
  let sinceBlock: 'none' | 'blank' | 'prose' = 'none';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const fence = /^(`{3,}|~{3,})\s*([\w-]*)\s*$/.exec(line);
    if (fence !== null) {
      const marker = fence[1] as string;
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !(lines[i] as string).startsWith(marker); i++) body.push(lines[i] as string);
      if (i >= lines.length) throw new Error(`${file}:${start + 1}: the block is never closed`);
      blocks.push({
        file,
        line: start + 1,
        lang: fence[2] as string,
        text: body.map((l) => `${l}\n`).join(''),
        heading,
        directives: pending,
        followsBlock: sinceBlock === 'blank',
      });
      pending = [];
      sinceBlock = 'blank';
      continue;
    }
    if (line.startsWith(DIRECTIVE_START)) {
      const start = i;
      let text = line.slice(DIRECTIVE_START.length);
      while (!text.includes('-->') && i + 1 < lines.length) text += `\n${lines[++i] as string}`;
      const end = text.indexOf('-->');
      if (end < 0) throw new Error(`${file}:${start + 1}: a doctest comment is never closed`);
      const body = text.slice(0, end).trim();
      const kind = /^[\w-]+/.exec(body)?.[0] ?? '';
      pending.push({ kind, arg: body.slice(kind.length).trim(), line: start + 1 });
      continue;
    }
    if (line.trim() === '') continue;
    if (pending.length > 0) {
      throw new Error(`${file}:${(pending[0] as Directive).line}: a doctest comment must come right before a block`);
    }
    const h = /^#{1,6}\s+(.*?)\s*$/.exec(line);
    if (h !== null) heading = (h[1] as string).replace(/\s*<a id=.*$/, '');
    sinceBlock = 'prose';
  }
  return blocks;
}

/** What to do with each block: run it (and with which checks), skip it, or take it as text or output. */
export function planBlocks(blocks: readonly Block[]): Plan[] {
  const plans: Plan[] = [];
  const perHeading = new Map<string, number>();
  let lastRun: RunPlan | undefined;
  for (const block of blocks) {
    const headingKey = `${block.file} § ${block.heading}`;
    const k = (perHeading.get(headingKey) ?? 0) + 1;
    perHeading.set(headingKey, k);
    const base: PlanBase = { block, id: `${block.file}:${block.line}`, key: k === 1 ? headingKey : `${headingKey} #${k}` };
    const error = (message: string): ErrorPlan => ({ ...base, kind: 'error', message });
    const unknown = block.directives.find((d) => !KINDS.has(d.kind));
    const one = (kind: string): Directive | undefined => block.directives.find((d) => d.kind === kind);
    const previousRun = lastRun;
    lastRun = undefined;
    if (unknown !== undefined) {
      plans.push(error(`unknown doctest mark \`${unknown.kind}\` at line ${unknown.line}`));
      continue;
    }
    const skip = one('skip');
    if (skip !== undefined) {
      if (skip.arg === '') plans.push(error('`doctest: skip` needs a reason'));
      else plans.push({ ...base, kind: 'skip', reason: skip.arg });
      continue;
    }
    const text = one('text');
    if (text !== undefined) {
      if (text.arg === '') plans.push(error('`doctest: text` needs to say what the block is'));
      else plans.push({ ...base, kind: 'text', what: text.arg });
      continue;
    }
    const picture = one('picture');
    if (picture !== undefined) {
      if (block.lang !== '') plans.push(error('a picture is an untyped block'));
      else if (picture.arg === '') plans.push(error('`doctest: picture` needs to say what it shows'));
      else plans.push({ ...base, kind: 'picture', what: picture.arg });
      continue;
    }
    if (block.lang === '' || block.lang === 'text') {
      const marked = one('output') !== undefined;
      if (previousRun === undefined || (!marked && !block.followsBlock)) {
        plans.push(
          error(
            'an untyped block must be the output of the code block before it (right after it, or marked ' +
              '`<!-- doctest: output -->`), or be marked `<!-- doctest: picture WHAT -->` or `<!-- doctest: text WHAT -->`',
          ),
        );
      } else if (previousRun.output !== undefined) {
        plans.push(error('the block before already has its output'));
      } else {
        previousRun.output = block;
        plans.push({ ...base, kind: 'output', of: previousRun.block });
      }
      continue;
    }
    const lang = block.lang === 'bash' || block.lang === 'shell' ? 'sh' : block.lang;
    if (lang !== 'js' && lang !== 'ts' && lang !== 'sh') {
      plans.push(error(`no runner for \`${block.lang}\` blocks: mark it \`<!-- doctest: skip REASON -->\``));
      continue;
    }
    const terminal = one('terminal')?.arg;
    const size = terminal === undefined ? [80, 24] : (/^(\d+)x(\d+)$/.exec(terminal)?.slice(1).map(Number) ?? []);
    const timeout = one('timeout')?.arg;
    const exit = one('exit')?.arg;
    const ctrlC = one('ctrl-c')?.arg;
    if (size.length !== 2) {
      plans.push(error(`\`terminal\` wants COLSxROWS, got \`${terminal}\``));
      continue;
    }
    if (ctrlC !== undefined && !ctrlC.startsWith('after ')) {
      plans.push(error('`ctrl-c` wants `after TEXT`'));
      continue;
    }
    const plan: RunPlan = {
      ...base,
      kind: 'run',
      lang,
      setup: one('setup')?.arg,
      then: one('then')?.arg,
      output: undefined,
      prints: [...block.text.matchAll(/\/\/\s*prints:\s*(.*?)\s*$/gm)].map((m) => m[1] as string),
      pictures: commentPictures(block.text),
      shows: block.directives.filter((d) => d.kind === 'shows').map((d) => unquote(d.arg)),
      ctrlC: ctrlC === undefined ? undefined : unquote(ctrlC.slice('after '.length).trim()),
      exit: exit === undefined ? 0 : Number(exit),
      packed: one('packed') !== undefined,
      cols: size[0] as number,
      rows: size[1] as number,
      timeoutMs: timeout === undefined ? DEFAULT_TIMEOUT_MS : Number(timeout) * 1000,
    };
    if (plan.then !== undefined && lang === 'sh') {
      plans.push(error('`then` is for js and ts blocks'));
      continue;
    }
    plans.push(plan);
    lastRun = plan;
  }
  return plans;
}

const unquote = (s: string): string => (/^".*"$/s.test(s) ? s.slice(1, -1) : s);

/** Reads and plans the given Markdown files (paths relative to the repository root). */
export function planDocs(files: readonly string[]): Plan[] {
  return files.flatMap((file) => planBlocks(extractBlocks(file, readFileSync(join(repoRoot, file), 'utf8'))));
}

// ---------------------------------------------------------------------------------------------------
// Preparing a block: the code that runs.

/** `{ … }`, a loop body the docs leave out, becomes an empty body of the same width. */
export function fillPlaceholders(code: string): string {
  return code.replace(/\{ … \}/g, '{   }');
}

/** The block as the JavaScript module that runs: placeholders filled, TypeScript transpiled. */
export function blockModule(plan: RunPlan): string {
  const code = fillPlaceholders(plan.block.text);
  const js =
    plan.lang === 'ts'
      ? ts.transpileModule(code, {
          compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
          fileName: 'block.ts',
          reportDiagnostics: false,
        }).outputText
      : code;
  return plan.then === undefined ? js : `${js}\n// doctest: then\n${plan.then}\n`;
}

/** The names a module's top level imports and declares. */
export function topLevelNames(code: string): { imported: string[]; declared: string[] } {
  const source = ts.createSourceFile('code.ts', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const imported: string[] = [];
  const declared: string[] = [];
  const bind = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) declared.push(name.text);
    else for (const e of name.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
  };
  for (const s of source.statements) {
    if (ts.isImportDeclaration(s)) {
      const clause = s.importClause;
      if (clause?.name !== undefined) imported.push(clause.name.text);
      const nb = clause?.namedBindings;
      if (nb !== undefined && ts.isNamespaceImport(nb)) imported.push(nb.name.text);
      if (nb !== undefined && ts.isNamedImports(nb)) for (const e of nb.elements) imported.push(e.name.text);
    } else if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) bind(d.name);
    } else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name !== undefined) {
      declared.push(s.name.text);
    }
  }
  return { imported, declared };
}

/** Every identifier in a piece of code (a cheap over-approximation of the names it uses). */
function identifiers(code: string): Set<string> {
  const source = ts.createSourceFile('block.ts', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) out.add(node.text);
    node.forEachChild(visit);
  };
  visit(source);
  return out;
}

/**
 * Problems with a block's setup. It provides what the block lacks and nothing else: no name the block
 * declares or imports itself, and every value it declares is used by the block (what it imports is free:
 * modules and prelude helpers to build those values with). A ```sh block's setup only makes files.
 */
export function setupProblems(plan: RunPlan): string[] {
  if (plan.setup === undefined) return [];
  const setup = topLevelNames(plan.setup);
  if (plan.lang === 'sh') {
    return setup.declared.map((n) => `the setup of a shell block declares \`${n}\`, which the shell cannot use`);
  }
  const code = fillPlaceholders(plan.block.text);
  const own = topLevelNames(code);
  const mine = new Set([...own.imported, ...own.declared]);
  const used = identifiers(plan.then === undefined ? code : `${code}\n${plan.then}`);
  const problems: string[] = [];
  for (const name of [...setup.imported, ...setup.declared]) {
    if (mine.has(name)) problems.push(`the setup provides \`${name}\`, which the block declares itself`);
  }
  for (const name of setup.declared) {
    if (!mine.has(name) && !used.has(name)) problems.push(`the setup declares \`${name}\`, which the block does not use`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// Running a block.

export interface BlockRun {
  plan: RunPlan;
  result: RunResult;
  screen: PtyScreen;
  /** The scratch directory (removed after the checks unless DOCTEST_KEEP is set). */
  dir: string;
}

const preludeDir = join(repoRoot, 'test-support', 'doctest-prelude');

/** A packed tarball of this checkout (made once per process, without running the `prepack` build). */
let packed: string | undefined;
export function packTarball(): string {
  if (packed !== undefined) return packed;
  const dir = mkdtempSync(join(tmpdir(), 'taqaddum-doc-pack-'));
  const r = spawnSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--loglevel=error'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`npm pack failed:\n${r.stdout}${r.stderr}`);
  packed = join(dir, (r.stdout.trim().split('\n').pop() as string).trim());
  return packed;
}

/** Bare package names that `code` imports (`from 'pino'`, `import('@scope/x/sub')` → `@scope/x`). */
export function importedPackages(code: string): Set<string> {
  const names = new Set<string>();
  for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"./][^'"]*)['"]/g)) {
    const spec = m[1] as string;
    if (spec.startsWith('node:')) continue;
    const parts = spec.split('/');
    names.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string));
  }
  return names;
}

/** Writes the scratch directory for a block: the block, its setup, and the program that runs both. */
export function prepare(plan: RunPlan): string {
  const dir = mkdtempSync(join(tmpdir(), 'taqaddum-doc-'));
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '.bin'), { recursive: true });
  symlinkSync(preludeDir, join(modules, 'doctest-prelude'));
  if (plan.packed) {
    const tarball = packTarball();
    const app = { name: 'doctest-app', version: '1.0.0', private: true, dependencies: { taqaddum: `file:${tarball}` } };
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(app, null, 2)}\n`);
  } else {
    symlinkSync(repoRoot, join(modules, 'taqaddum'));
    symlinkSync(join('..', 'taqaddum', 'dist', 'cli', 'bin.js'), join(modules, '.bin', 'taqaddum'));
  }
  // Other packages a block imports (a logger beside the bars) come from this checkout's devDependencies.
  for (const name of importedPackages(`${plan.setup ?? ''}\n${plan.block.text}`)) {
    if (name === 'taqaddum' || name === 'doctest-prelude') continue;
    const installed = join(repoRoot, 'node_modules', name);
    if (!existsSync(installed)) continue; // the run then fails with Node's own "cannot find package"
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(installed, join(modules, name));
  }
  const names = plan.setup === undefined ? undefined : topLevelNames(plan.setup);
  const globals = names === undefined ? [] : [...names.imported, ...names.declared];
  const setup = plan.setup === undefined ? '' : `${plan.setup}\nObject.assign(globalThis, { ${globals.join(', ')} });\n`;
  writeFileSync(join(dir, 'setup.mjs'), setup);
  let main: string;
  if (plan.lang === 'sh') {
    writeFileSync(join(dir, 'block.sh'), plan.block.text);
    // The program: the setup, then the shell in the same terminal; it ends as the shell ended.
    main = [
      "import { spawn } from 'node:child_process';",
      "import { fileURLToPath } from 'node:url';",
      "process.chdir(fileURLToPath(new URL('.', import.meta.url)));",
      "await import('./setup.mjs');",
      "for (const s of ['SIGINT', 'SIGQUIT']) process.on(s, () => {});",
      "const child = spawn('bash', ['-e', '-o', 'pipefail', 'block.sh'], { stdio: 'inherit' });",
      "child.on('exit', (code, signal) => {",
      '  if (signal !== null) { process.removeAllListeners(signal); process.kill(process.pid, signal); }',
      '  else process.exit(code);',
      '});',
      '',
    ].join('\n');
  } else {
    writeFileSync(join(dir, 'block.mjs'), blockModule(plan));
    main = [
      "import { fileURLToPath } from 'node:url';",
      "process.chdir(fileURLToPath(new URL('.', import.meta.url)));",
      "await import('./setup.mjs');",
      "await import('./block.mjs');",
      '',
    ].join('\n');
  }
  writeFileSync(join(dir, 'main.mjs'), main);
  return dir;
}

/** Runs a prepared block in a pseudo-terminal and reads the final screen. */
export async function runBlock(plan: RunPlan): Promise<BlockRun> {
  const dir = prepare(plan);
  const steps: Step[] = plan.ctrlC === undefined ? [] : [{ waitFor: plan.ctrlC }, { send: '\u0003', label: 'ctrl-c' }];
  const env: Record<string, string | undefined> = {
    PATH: `${join(dir, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
    // npm's chatter and network habits only; none of these changes what is installed or run.
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    ...(plan.packed ? { npm_config_prefer_offline: 'true' } : { npm_config_offline: 'true' }),
  };
  const result = await runInPty(join(dir, 'main.mjs'), { cols: plan.cols, rows: plan.rows, steps, env, timeoutMs: plan.timeoutMs });
  const screen = await renderPtyScreen(result);
  return { plan, result, screen, dir };
}

/** Removes the packed tarball, if one was made. */
export function removePackedTarball(): void {
  if (packed !== undefined) rmSync(join(packed, '..'), { recursive: true, force: true });
  packed = undefined;
}

export function cleanUp(run: BlockRun): void {
  if (process.env.DOCTEST_KEEP === undefined) rmSync(run.dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------------
// Comparing what the docs say with the screen.

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const NUMBER = String.raw`\d+(?:\.\d+)?`;
const SI = '[kMGTPEZY]?';
const BAR_CELLS = '[█▏▎▍▌▋▊▉ ]';
/** What may differ between two runs of the same program: durations, rates, the bar's length, stall times. */
const VARYING = new RegExp(
  [
    String.raw`(?<bar>(?<=%)\|${BAR_CELLS}+\|)`,
    String.raw`(?<rate>(?:\?|${NUMBER}${SI}) (?<unit>${SI}B|[^\s,\]/]+)/s|${NUMBER}${SI} s/(?<slowUnit>[^\s,\]]+))`,
    String.raw`(?<stall>stalled (?:<1s|\d+s|\d+m\d\ds|\d+h\d\dm))`,
    String.raw`(?<time>\b(?:\d+d )?(?:\d+:)?\d\d:\d\d\b)`,
  ].join('|'),
  'g',
);

/** A pattern for one line the docs show: exact, except for what varies (see the top of this file). */
export function linePattern(expected: string): RegExp {
  let out = '';
  let at = 0;
  const text = expected.trimEnd();
  for (const m of text.matchAll(VARYING)) {
    out += escapeRegExp(text.slice(at, m.index));
    at = m.index + m[0].length;
    const g = m.groups ?? {};
    if (g.bar !== undefined) out += `\\|${BAR_CELLS}+\\|`;
    else if (g.stall !== undefined) out += String.raw`stalled (?:<1s|\d+s|\d+m\d\ds|\d+h\d\dm)`;
    else if (g.time !== undefined) out += String.raw`(?:\d+d )?(?:\d+:)?\d\d:\d\d`;
    else {
      const unit = g.unit ?? g.slowUnit ?? '';
      const u = unit.endsWith('B') && unit.length <= 2 ? `${SI}B` : escapeRegExp(unit);
      out += `(?:(?:\\?|${NUMBER}${SI}) ${u}/s|${NUMBER}${SI} s/${u})`;
    }
  }
  out += escapeRegExp(text.slice(at));
  return new RegExp(`^${out}$`);
}

/** The screen's lines, scrollback included, without the blank rows after the last text. */
export function screenLines(screen: PtyScreen): string[] {
  const lines = screen.all.map((l) => l.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Everything wrong with a run, as sentences (empty: the block does what the docs say). */
export function runProblems(run: BlockRun): string[] {
  const { plan, result, screen } = run;
  const problems: string[] = [];
  const lines = screenLines(screen);
  if (result.timedOut) problems.push(`it did not end within ${plan.timeoutMs / 1000} s`);
  else if (result.signal !== null) problems.push(`it was killed by ${result.signal}`);
  else if (result.exitCode !== plan.exit) problems.push(`it exited with status ${result.exitCode}, not ${plan.exit}`);
  if (result.skippedSteps.length > 0) problems.push(`it ended before: ${result.skippedSteps.join(', ')}`);
  const warning = /\(node:\d+\) (?:\[\w+\] )?\w*Warning\b.*/.exec(result.bytes);
  if (warning !== null) problems.push(`Node printed a warning: ${warning[0]}`);
  if (plan.output !== undefined) {
    const expected = plan.output.text.replace(/\n$/, '').split('\n');
    const same = expected.length === lines.length && expected.every((e, i) => linePattern(e).test(lines[i] as string));
    if (!same) {
      problems.push(
        `the screen is not what ${plan.output.file}:${plan.output.line} shows:\n` +
          `  expected:\n${expected.map((l) => `    |${l}`).join('\n')}\n  got:\n${lines.map((l) => `    |${l}`).join('\n')}`,
      );
    }
  }
  for (const p of plan.prints) {
    if (!lines.some((l) => linePattern(p).test(l))) problems.push(`no line of the screen is \`${p}\` (a \`// prints:\` comment)`);
  }
  const text = lines.join('\n');
  for (const s of plan.shows) if (!text.includes(s)) problems.push(`the screen does not show \`${s}\``);
  if (plan.packed) {
    try {
      const installed = JSON.parse(readFileSync(join(run.dir, 'node_modules', 'taqaddum', 'package.json'), 'utf8'));
      const ours = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
      if (installed.version !== ours.version) problems.push(`it installed taqaddum ${installed.version}, not ${ours.version}`);
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', "import('taqaddum').then((m) => { if (typeof m.progress !== 'function') process.exit(1); })"], {
        cwd: run.dir,
        encoding: 'utf8',
      });
      if (r.status !== 0) problems.push(`the installed package does not import: ${r.stderr}`);
    } catch (error) {
      problems.push(`nothing was installed: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** The screen and how the run ended, for a failure message. */
export function describeBlockRun(run: BlockRun): string {
  const { result } = run;
  const how = result.timedOut ? 'timed out' : result.signal !== null ? `signal ${result.signal}` : `exit ${result.exitCode}`;
  return [`(${how}; DOCTEST_KEEP=1 keeps the scratch directory ${run.dir})`, ...screenLines(run.screen).map((l) => `  |${l}`)].join('\n');
}
