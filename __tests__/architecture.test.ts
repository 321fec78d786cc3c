/**
 * The layout's arrows point one way (docs/architecture.md, "Dependencies point one way"): the imports of
 * src/, type-only ones included, read from the source, form no circle, and no module imports from a layer
 * above its own. index → progress → promises → adapters → bar → render, share → format, options → core; the
 * command (cli/) uses the bar and the formatting.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import ts from 'typescript';

const SRC = resolve('src');

/** Every .ts file under `dir`, as a path relative to src/ with forward slashes. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [relative(SRC, path).split('\\').join('/')] : [];
  });
}

interface Imports {
  /** Modules of the package, as paths relative to src/. */
  local: string[];
  /** Anything else: `node:` built-ins and packages. */
  external: string[];
}

/** What a file imports or re-exports, `import type` and `export … from` included. */
function importsOf(file: string): Imports {
  const text = readFileSync(join(SRC, file), 'utf8');
  const local: string[] = [];
  const external: string[] = [];
  for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
    if (!fileName.startsWith('.')) external.push(fileName);
    else local.push(relative(SRC, join(SRC, dirname(file), fileName.replace(/\.js$/, '.ts'))).split('\\').join('/'));
  }
  return { local, external };
}

/** The circles of a graph: its strongly connected components of more than one module, or one importing itself. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)] as const));
const localGraph = new Map([...graph].map(([f, i]) => [f, i.local] as const));

/** The arrows from modules matching `from` to modules matching any of `to`, as `a → b`. */
function arrows(from: RegExp, to: readonly RegExp[]): string[] {
  return [...localGraph].flatMap(([file, deps]) =>
    from.test(file) ? deps.filter((d) => to.some((re) => re.test(d))).map((d) => `${file} → ${d}`) : [],
  );
}

/** The layers above format/, options and render/: what they must never import. */
const ABOVE_RENDER = [/^adapters\//, /^promises\//, /^cli\//, /^bar\.ts$/, /^progress\.ts$/, /^write\.ts$/, /^observe\.ts$/, /^formatters\.ts$/, /^index\.ts$/, /^otel\//];

describe('the imports of src/', () => {
  test('are read from the source (a sanity check of the reader)', () => {
    expect(files).toContain('index.ts');
    expect(localGraph.get('index.ts')).toContain('progress.ts');
    expect(localGraph.get('render/layout.ts')).toEqual([]);
    // Type-only imports count: the bar's import of the renderer's contract is one.
    expect(localGraph.get('bar.ts')).toContain('render/drawable.ts');
  });

  test('form no circle (type-only imports included)', () => {
    expect(cycles(localGraph)).toEqual([]);
  });

  test('core/ imports nothing outside core/: no I/O, no package, no built-in', () => {
    const core = files.filter((f) => f.startsWith('core/'));
    expect(core.length).toBeGreaterThan(0);
    const outside = core.flatMap((f) => {
      const { local, external } = graph.get(f)!;
      return [...local.filter((d) => !d.startsWith('core/')), ...external].map((d) => `${f} → ${d}`);
    });
    expect(outside).toEqual([]);
  });

  test('format/ imports nothing from render/, the adapters, the task functions or anything above them', () => {
    expect(arrows(/^format\//, [/^render\//, ...ABOVE_RENDER])).toEqual([]);
  });

  test('the options import nothing from render/ or above (the public `parent` is the public bar type)', () => {
    expect(arrows(/^options(\.ts$|\/)/, [/^render\//, ...ABOVE_RENDER])).toEqual([]);
  });

  test('render/ imports nothing from the bar, the adapters, the task functions or anything above them', () => {
    expect(arrows(/^render\//, ABOVE_RENDER)).toEqual([]);
  });

  test('share/ (the counters and the socket of `bar.share()`) imports nothing from render/, the bar or anything above it', () => {
    expect(files.some((f) => f.startsWith('share/'))).toBe(true);
    expect(arrows(/^share\//, [/^render\//, ...ABOVE_RENDER])).toEqual([]);
  });

  test('the bar imports nothing from the adapters, the task functions, the command or anything above them', () => {
    expect(arrows(/^bar(-api)?\.ts$/, [/^adapters\//, /^promises\//, /^cli\//, /^progress\.ts$/, /^write\.ts$/, /^index\.ts$/])).toEqual([]);
  });

  test('otel/ reaches the bars only through the main entry (dist/otel/index.js imports the one bundle), and nothing imports otel/', () => {
    expect(localGraph.get('otel/index.ts')).toContain('index.ts');
    expect(arrows(/^otel\//, [/^(?!index\.ts$|options\/|otel\/)/])).toEqual([]);
    expect(arrows(/^(?!otel\/)/, [/^otel\//])).toEqual([]);
    // Only the OpenTelemetry entry imports @opentelemetry/api as a value; options/otel.ts, its types.
    const importers = files.filter((f) => graph.get(f)!.external.some((d) => d.startsWith('@opentelemetry/')));
    expect(importers.sort()).toEqual(['options/otel.ts', 'otel/index.ts']);
  });

  test('the adapters import nothing from the task functions, the command or anything above them', () => {
    expect(arrows(/^adapters\//, [/^promises\//, /^cli\//, /^progress\.ts$/, /^index\.ts$/])).toEqual([]);
  });
});

describe('cycles() (the circle finder itself)', () => {
  test('finds circles of two, of three, and a module importing itself; none in a tree', () => {
    const g = new Map<string, string[]>([
      ['a', ['b']],
      ['b', ['a', 'c']],
      ['c', ['d']],
      ['d', ['e']],
      ['e', ['c']],
      ['f', ['f']],
      ['g', ['a', 'outside']],
    ]);
    expect(cycles(g)).toEqual(expect.arrayContaining([['a', 'b'], ['c', 'd', 'e'], ['f']]));
    expect(cycles(g)).toHaveLength(3);
    expect(cycles(new Map([['x', ['y', 'z']], ['y', ['z']], ['z', []]]))).toEqual([]);
  });
});
