// The packed type declarations show only the documented API (run by scripts/check-pack.sh).
// Usage: node scripts/check-dts.mjs PACKAGE_DIR    (an installed or unpacked copy of the tarball)
//
// 1. No packed `.d.ts` holds an `@internal` tag: the build strips what is tagged (`stripInternal`), so a
//    tag left over means a declaration that was meant to be hidden is published.
// 2. What an editor offers from `import … from 'taqaddum'` (and from each subpath export with types, such as
//    'taqaddum/otel'): starting at each `types` entry, every
//    export's type is walked (its members, call and construct signatures, type arguments, union members)
//    through the types this package declares; a member or a type with one of the internal names below
//    fails, and so does a member of the `Bar` or `TasksBar` type that its documentation (README § API) does not list.
//    Members declared outside the package (Node's `Transform` under `progress.stream()`) and `private`
//    ones (editors do not offer them) are not looked at. An exported class must declare its constructor:
//    `stripInternal` removes an `@internal` one, and the class then reads as `new X()` with no argument.
// Prints what it found, one line each, and exits 1 if anything was found.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// This repository's TypeScript (a devDependency), whatever the directory checked.
const ts = createRequire(fileURLToPath(import.meta.url))('typescript');

/** Names of the bar's and the engine's inner workings: never part of the public types. */
const INTERNAL_NAMES = new Set([
  'countdown', 'pace', 'armed', 'state', 'iteration', 'check', 'lap', 'closeAs', 'end', 'snapshot',
  'lastPlainAt', 'perCheck', 'perLap', 'lastCheckAt', 'inItem', 'start', 'flush', 'sample', 'finalLines',
  'reportLines', 'closeAtExit', 'requestedParent', 'fixedWidth', 'renderer', 'demandLines', 'failedAt',
  'keepsNextFailure', 'reportsFailures', 'tracker', 'formatState', 'jsonLine', 'finalJson',
  'Resolved', 'Drawable', 'ProgressState', 'Snapshot', 'TaskProgressBar', 'Renderer',
]);

/** The members README § API documents for a bar (`progress.bar()`, `it.bar`, `stream.bar`). */
const BAR_MEMBERS = new Set([
  'update', 'set', 'reset', 'refresh', 'clear', 'share', 'close', '__@dispose', 'n', 'total', 'desc', 'elapsed', 'rate', 'isClosed',
]);
/** And for the bar of a set of tasks (`TasksBar`: the `.bar` of `map`, `asCompleted`, `progress(promises)`). */
const TASKS_BAR_MEMBERS = new Set([...BAR_MEMBERS, 'pending', 'failures']);
/** The documented members of each bar type, by its name. */
const DOCUMENTED = new Map([['Bar', BAR_MEMBERS], ['TasksBar', TASKS_BAR_MEMBERS]]);

const pkgDir = resolve(process.argv[2] ?? '.');
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
/** The `types` of every export (the main entry first), or the package's `types`. */
const entries = [
  ...new Set(
    Object.values(pkg.exports ?? {})
      .map((e) => (typeof e === 'object' && e !== null ? e.types : undefined))
      .filter((t) => typeof t === 'string')
      .map((t) => resolve(pkgDir, t)),
  ),
];
if (entries.length === 0) entries.push(resolve(pkgDir, pkg.types));
const found = [];
const where = (node) => {
  const file = node.getSourceFile();
  const { line } = file.getLineAndCharacterOfPosition(node.getStart());
  return `${relative(pkgDir, file.fileName)}:${line + 1}`;
};

// --- 1. `@internal` anywhere in the packed declarations -------------------------------------------
function* declarationFiles(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* declarationFiles(p);
    else if (/\.d\.[cm]?ts$/.test(e.name)) yield p;
  }
}
let files = 0;
for (const file of declarationFiles(join(pkgDir, 'dist'))) {
  files++;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (text.includes('@internal')) found.push(`${relative(pkgDir, file)}:${i + 1}: @internal: ${text.trim()}`);
    });
}

// --- 2. the public API, as the type checker sees it ---------------------------------------------------
const program = ts.createProgram(entries, {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noEmit: true,
  types: [],
});
const checker = program.getTypeChecker();
const ownDir = resolve(pkgDir) + sep;
const isOwn = (decl) => resolve(decl.getSourceFile().fileName).startsWith(ownDir);
const ownDecls = (symbol) => (symbol?.declarations ?? []).filter(isOwn);
const isPrivate = (decl) =>
  (ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Private) !== 0 || (decl.name && ts.isPrivateIdentifier(decl.name));

const seen = new Set();
/** One line per declaration found, with the first way to reach it. */
const reported = new Set();
function report(decl, what, path) {
  const key = `${where(decl)}: ${what}`;
  if (reported.has(key)) return;
  reported.add(key);
  found.push(`${key} (${path})`);
}
const TYPE_SYMBOL = ts.SymbolFlags.Class | ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Enum;

function visitType(type, path) {
  if (type === undefined || seen.has(type)) return;
  seen.add(type);
  for (const symbol of [type.aliasSymbol, type.getSymbol()]) {
    const decls = ownDecls(symbol);
    if (decls.length > 0 && symbol.flags & TYPE_SYMBOL && INTERNAL_NAMES.has(symbol.name)) {
      report(decls[0], `internal type \`${symbol.name}\``, path);
    }
  }
  for (const t of type.aliasTypeArguments ?? []) visitType(t, path);
  if (type.isUnionOrIntersection()) for (const t of type.types) visitType(t, path);
  if (!(type.flags & ts.TypeFlags.Object)) return;
  if (type.objectFlags & ts.ObjectFlags.Reference) for (const t of checker.getTypeArguments(type)) visitType(t, path);
  const documented = ownDecls(type.getSymbol()).length > 0 ? DOCUMENTED.get(type.getSymbol()?.name) : undefined;
  for (const prop of checker.getPropertiesOfType(type)) {
    const decls = ownDecls(prop);
    if (decls.length === 0 || decls.every(isPrivate)) continue; // not this package's, or hidden from editors
    const member = prop.getName().replace(/^__@(\w+)(@\d+)?$/, '[Symbol.$1]');
    const name = `${path}.${member}`;
    if (INTERNAL_NAMES.has(prop.getName())) report(decls[0], `internal member \`${member}\``, name);
    else if (documented !== undefined && !documented.has(prop.getName().replace(/@\d+$/, ''))) {
      report(decls[0], `\`${member}\` is not a documented member of ${type.getSymbol()?.name}`, name);
    }
    if (ts.getJSDocTags(decls[0]).some((t) => t.tagName.text === 'internal')) report(decls[0], `\`${member}\` is tagged @internal`, name);
    visitType(checker.getTypeOfSymbol(prop), name);
  }
  for (const kind of [ts.SignatureKind.Call, ts.SignatureKind.Construct]) {
    for (const signature of checker.getSignaturesOfType(type, kind)) {
      const label = `${path}${kind === ts.SignatureKind.Construct ? ' (new)' : '()'}`;
      for (const param of signature.getParameters()) visitType(checker.getTypeOfSymbol(param), `${label} ${param.getName()}`);
      visitType(signature.getReturnType(), label);
    }
  }
  for (const info of checker.getIndexInfosOfType(type)) visitType(info.type, `${path}[]`);
}

const exportNames = [];
for (const entry of entries) {
  const source = program.getSourceFile(entry);
  if (source === undefined) {
    console.error(`check-dts: cannot read ${entry}`);
    process.exit(2);
  }
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(source));
  exportNames.push(...exports.map((e) => e.getName()));
  for (const exported of exports) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const name = exported.getName();
    if (INTERNAL_NAMES.has(name)) found.push(`${relative(pkgDir, entry)}: exports internal \`${name}\``);
    // `stripInternal` drops an `@internal` constructor, and a class without one declares `new X()`.
    for (const decl of ownDecls(symbol).filter(ts.isClassDeclaration)) {
      if (!decl.members.some(ts.isConstructorDeclaration) && !decl.heritageClauses?.some((h) => h.token === ts.SyntaxKind.ExtendsKeyword)) {
        report(decl, `class \`${name}\` declares no constructor, so \`new ${name}()\` type-checks (a stripped @internal one?)`, name);
      }
    }
    if (symbol.flags & ts.SymbolFlags.Value) visitType(checker.getTypeOfSymbol(symbol), name);
    if (symbol.flags & ts.SymbolFlags.Type) visitType(checker.getDeclaredTypeOfSymbol(symbol), name);
  }
}

console.log(
  `check-dts: ${files} declaration files, ${entries.length} entries, ${exportNames.length} exports (${exportNames.join(', ')}), ` +
    `${seen.size} types walked`,
);
if (found.length > 0) {
  console.log(`check-dts: ${found.length} internal declaration(s) in the packed types:`);
  for (const f of found) console.log(`  ${f}`);
  process.exit(1);
}
console.log('check-dts: the packed types show only the documented API');
