#!/usr/bin/env bash
# Packaging proof: pack the library as npm would publish it, then
#   1. list the tarball and check it holds only dist/, README, LICENSE and package.json.
#      The packed README stands alone: every relative link or image in it names a file of the tarball.
#   2. lint the tarball with publint (--strict) and @arethetypeswrong/cli (esm-only profile);
#   3. install it into a scratch project and prove that both `import` (.mjs) and `require()` (.cjs,
#      Node >= 20.19 require(esm)) work and draw bars to a non-TTY stderr: the final lines are there and
#      not a single ESC byte or carriage return is written. A stream that claims to be a terminal is also
#      drawn to, so the lazily loaded dependencies (log-update, string-width, pretty-bytes) are proven to
#      resolve from an installed copy. With @opentelemetry/api and sdk-metrics installed beside it, the
#      subpath export `taqaddum/otel` is imported (and required) and reports a bar of the main entry;
#   4. the packed types: a consumer file using the main API type-checks with TypeScript 6's defaults
#      (`types` empty: @types/node is installed, as in any Node project, but not listed), once with
#      `module: nodenext` and once with no option at all; and scripts/check-dts.mjs finds no internal
#      member in what `import … from 'taqaddum'` (or 'taqaddum/otel') shows (nor an `@internal` tag in any
#      packed .d.ts).
# Usage: scripts/check-pack.sh        (builds first; CHECK_PACK_SKIP_BUILD=1 skips the build,
#                                      CHECK_PACK_KEEP=1 keeps the scratch directory and prints its path)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { printf '[check-pack] %s\n' "$*"; }
fail() { printf '[check-pack] FAIL: %s\n' "$*" >&2; exit 1; }

if [[ "${CHECK_PACK_SKIP_BUILD:-}" != 1 ]]; then
  say "building"
  npm run build --silent
fi
[[ -f dist/index.js && -f dist/index.d.ts ]] || fail "dist/index.js or dist/index.d.ts is missing: run npm run build"

work="$(mktemp -d "${TMPDIR:-/tmp}/taqaddum-pack.XXXXXX")"
if [[ "${CHECK_PACK_KEEP:-}" == 1 ]]; then
  say "keeping $work"
else
  trap 'rm -rf "$work"' EXIT
fi

# --- 1. pack and list ----------------------------------------------------------------------------
npm pack --pack-destination "$work" --loglevel=error >/dev/null
shopt -s nullglob
tarballs=("$work"/taqaddum-*.tgz)
shopt -u nullglob
[[ ${#tarballs[@]} -eq 1 ]] || fail "expected one tarball in $work, found ${#tarballs[@]}"
tgz="${tarballs[0]}"
say "packed $(basename "$tgz") ($(wc -c <"$tgz") bytes)"

tar -tzf "$tgz" | sort >"$work/contents.txt"
say "tarball contents ($(wc -l <"$work/contents.txt") files):"
sed 's/^/    /' "$work/contents.txt"
unexpected="$(grep -Ev '^package/(package\.json|README(\.md)?|LICENSE(\.md|\.txt)?|dist/.+)$' "$work/contents.txt" || true)"
[[ -z "$unexpected" ]] || fail "unexpected files in the tarball:"$'\n'"$unexpected"
for required in package/package.json package/README.md package/LICENSE package/dist/index.js package/dist/index.d.ts \
  package/dist/otel/index.js package/dist/otel/index.d.ts; do
  grep -qx "$required" "$work/contents.txt" || fail "$required is missing from the tarball"
done

# The README is the package page (npm, an editor's view of node_modules): a relative link or image
# resolves against the package, so it must name a file the tarball holds.
mkdir "$work/unpacked"
tar -xzf "$tgz" -C "$work/unpacked" package/README.md
say "relative links of the packed README"
node - "$work/unpacked/package/README.md" "$work/contents.txt" <<'JS' || fail "the packed README links files that are not in the tarball"
const { readFileSync } = require('node:fs');
const { posix } = require('node:path');
const [readme, contents] = process.argv.slice(2);
const files = new Set(readFileSync(contents, 'utf8').split('\n').filter(Boolean).map((f) => f.replace(/^package\//, '')));
// Code (fenced blocks, inline spans) is not a link; HTML comments (doctest marks) are not shown.
const text = readFileSync(readme, 'utf8')
  .replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
  .replace(/<!--[\s\S]*?-->/g, '')
  .replace(/(`+)[\s\S]*?\1/g, '');
const targets = [
  ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]), // [text](url), ![alt](url)
  ...[...text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]), // [id]: url
  ...[...text.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]), // <img src>, <a href>
];
const relative = targets.filter((t) => !/^([a-z][a-z\d+.-]*:|\/\/|#)/i.test(t));
const missing = [...new Set(relative)].filter((t) => !files.has(posix.normalize(decodeURIComponent(t.replace(/[?#].*$/, '')))));
console.log(`    ${targets.length} links, ${relative.length} relative${missing.length > 0 ? `, not in the tarball: ${missing.join(', ')}` : ''}`);
process.exit(missing.length > 0 ? 1 : 0);
JS

# --- 2. lint the packed tarball --------------------------------------------------------------------
bin="$root/node_modules/.bin"
[[ -x "$bin/publint" && -x "$bin/attw" ]] || fail "publint or attw not installed (they are devDependencies: run npm ci)"
say "publint --strict"
NO_COLOR=1 "$bin/publint" run --strict --level suggestion "$tgz"
say "attw --profile esm-only"
"$bin/attw" "$tgz" --profile esm-only --no-color --no-emoji

# --- 3. install into a scratch project and use it --------------------------------------------------
app="$work/app"
mkdir "$app"
cd "$app"
npm init -y --loglevel=error >/dev/null
# @types/node as a Node TypeScript project has it (step 4), at the version this repository builds with.
types_node="@types/node@$(node -p "require('$root/node_modules/@types/node/package.json').version")"
# The optional peer dependency of `taqaddum/otel`, and the SDK that collects from it, as a user adds them.
installed_version() { node -p "JSON.parse(require('node:fs').readFileSync('$root/node_modules/$1/package.json', 'utf8')).version"; }
otel_api="@opentelemetry/api@$(installed_version @opentelemetry/api)"
otel_sdk="@opentelemetry/sdk-metrics@$(installed_version @opentelemetry/sdk-metrics)"
say "installing the tarball, $types_node, $otel_api and $otel_sdk into a scratch project (dependencies from the registry)"
npm install --no-audit --no-fund --loglevel=error "$tgz" "$types_node" "$otel_api" "$otel_sdk" >/dev/null
[[ -f node_modules/taqaddum/dist/index.js ]] || fail "the tarball did not install"

# Both entry styles run the same checks; only the way the library is loaded differs.
cat >"$app/body.txt" <<'JS'
const seen = [];
for (const x of progress([1, 2, 3], { desc: `${kind} sync` })) seen.push(x);
assert.deepEqual(seen, [1, 2, 3]);

async function* lines() { yield 'a'; yield 'b'; }
const got = [];
for await (const x of progress(lines(), { desc: `${kind} async`, total: 2 })) got.push(x);
assert.deepEqual(got, ['a', 'b']);

const bar = progress.bar({ desc: `${kind} bytes`, total: 2048, unit: 'B' });
bar.update(1024);
bar.update(1024);
bar.close();
assert.equal(bar.n, 2048);

// A stream that claims to be a terminal: the first frame loads log-update, the CJK desc string-width.
const writes = [];
const tty = { isTTY: true, columns: 60, rows: 10, write(s) { writes.push(String(s)); return true; } };
for (const _ of progress(5, { desc: `${kind} 进度`, stream: tty })) { /* nothing */ }
assert.match(writes.join(''), new RegExp(`${kind} 进度: 100%\\|█+\\| 5/5 \\[`));

// The subpath export: its gauges report a bar of the main entry (one set of bars for both).
const reader = new MetricReader();
const provider = new MeterProvider({ readers: [reader] });
const stop = recordMetrics({ meter: provider.getMeter(kind) });
const observed = progress.bar({ desc: `${kind} otel`, total: 10, stream: { write() { return true; } } });
observed.update(3);
observed.refresh();
const { resourceMetrics } = await reader.collect();
stop();
observed.close();
const count = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'taqaddum.progress.count');
assert.deepEqual(count?.dataPoints.map((p) => [p.value, p.attributes]), [[3, { desc: `${kind} otel`, unit: 'it' }]]);
console.log(`${kind}: ok`);
JS

{
  echo "import assert from 'node:assert/strict';"
  echo "import { progress } from 'taqaddum';"
  echo "import { recordMetrics } from 'taqaddum/otel';"
  echo "import * as sdk from '@opentelemetry/sdk-metrics';"
  echo "const MetricReader = class extends sdk.MetricReader { async onShutdown() {} async onForceFlush() {} };"
  echo "const { MeterProvider } = sdk;"
  echo "const kind = 'esm';"
  cat "$app/body.txt"
} >"$app/check.mjs"
{
  echo "'use strict';"
  echo "const assert = require('node:assert/strict');"
  echo "const { progress } = require('taqaddum');"
  echo "const { recordMetrics } = require('taqaddum/otel');"
  echo "const sdk = require('@opentelemetry/sdk-metrics');"
  echo "const MetricReader = class extends sdk.MetricReader { async onShutdown() {} async onForceFlush() {} };"
  echo "const { MeterProvider } = sdk;"
  echo "assert.equal(require('taqaddum/package.json').name, 'taqaddum');"
  echo "const kind = 'cjs';"
  echo "(async () => {"
  cat "$app/body.txt"
  echo "})().catch((error) => { console.error(error); process.exitCode = 1; });"
} >"$app/check.cjs"

cat >"$app/check-stderr.mjs" <<'JS'
// Usage: node check-stderr.mjs FILE KIND: the bars' stderr must be plain lines with each final line.
import { readFileSync } from 'node:fs';
const [file, kind] = process.argv.slice(2);
const text = readFileSync(file, 'utf8');
const problems = [];
if (text.includes('\u001b')) problems.push('an ESC byte was written');
if (text.includes('\r')) problems.push('a carriage return was written');
if (!text.endsWith('\n')) problems.push('the output does not end with a newline');
const lines = text.split('\n');
for (const [desc, counts] of [[`${kind} sync`, '3/3'], [`${kind} async`, '2/2'], [`${kind} bytes`, '']]) {
  const re = new RegExp(`^${desc}: 100%\\|█+\\| ${counts}.*\\]$`);
  if (!lines.some((l) => re.test(l))) problems.push(`no final line for "${desc}"`);
}
if (problems.length > 0) {
  console.error(`${file}:\n${text}\n${problems.join('\n')}`);
  process.exit(1);
}
JS

for kind in esm cjs; do
  ext="$([[ $kind == esm ]] && echo mjs || echo cjs)"
  say "node check.$ext (stderr to a file, not a TTY)"
  status=0
  env -u TAQADDUM_DISABLE node "check.$ext" 2>"$kind.err" || status=$?
  sed 's/^/    stderr| /' "$kind.err"
  [[ $status -eq 0 ]] || fail "check.$ext exited with $status"
  node check-stderr.mjs "$kind.err" "$kind" || fail "the $kind bars' stderr is not plain, final lines"
done

# --- 4. the packed types -----------------------------------------------------------------------------
tsc_version="$("$bin/tsc" --version | sed 's/^Version //')"
[[ ${tsc_version%%.*} -ge 6 ]] || fail "TypeScript $tsc_version: the consumer check needs TypeScript 6's defaults"
mkdir "$app/ts"
cat >"$app/ts/consumer.mts" <<'TS'
// A project of a user's: the main API, type-checked against the packed declarations.
import { gather, map, progress, TimeoutError, type Bar, type BarSnapshot, type ProgressStream } from 'taqaddum';
import { recordMetrics } from 'taqaddum/otel';

const rows = [{ id: 1 }, { id: 2 }];
let sum = 0;
for (const row of progress(rows, { desc: 'rows' })) sum += row.id;
for (const i of progress(3)) sum += i;
async function* lines(): AsyncGenerator<string> { yield 'a'; }
for await (const line of progress(lines(), { total: 1 })) sum += line.length;

// A tuple keeps its types, as with Promise.all.
const [count, name] = await progress.gather([Promise.resolve(1), Promise.resolve('a')], { desc: 'gather' });
const pair: [number, string] = [count, name];
const settled = await gather([Promise.resolve(2)], { settle: true, signal: AbortSignal.timeout(1000) });
if (settled[0].status === 'fulfilled') sum += settled[0].value;

for await (const length of map(['a', 'bb'], async (s, { signal }) => (signal.aborted ? 0 : s.length), { concurrency: 2 })) {
  sum += length;
}

const bar: Bar = progress.bar({ desc: 'manual', total: 2, unit: 'B' });
bar.update();
bar.set({ postfix: { sum } });
bar.close();
{
  using scoped = progress.bar({ total: 1 });
  scoped.update();
}

const stream: ProgressStream = progress.stream({ desc: 'bytes', total: 10 });
stream.bar.update(0);
stream.end();
const stop = progress.observe((s: BarSnapshot) => {
  sum += s.id + (s.parent ?? 0) + s.n;
});
stop();
recordMetrics()();
console.log(sum, pair, bar.n, bar.rate, new TimeoutError(0, undefined, 1).index);
TS
echo '{ "compilerOptions": { "strict": true, "module": "nodenext", "noEmit": true } }' >"$app/ts/tsconfig.json"
echo '{ "compilerOptions": { "noEmit": true } }' >"$app/ts/tsconfig.defaults.json"
types_failed=()
for config in tsconfig.json tsconfig.defaults.json; do
  say "tsc $tsc_version -p ts/$config: $(tr -s ' ' <"$app/ts/$config")"
  (cd "$app/ts" && "$bin/tsc" -p "$config" --pretty false) 2>&1 | sed 's/^/    /' || types_failed+=("the consumer does not type-check with ts/$config")
done
say "the public types show only the documented API (scripts/check-dts.mjs)"
node "$root/scripts/check-dts.mjs" "$app/node_modules/taqaddum" 2>&1 | sed 's/^/    /' || types_failed+=("the packed types show internal declarations")
if [[ ${#types_failed[@]} -gt 0 ]]; then
  fail "$(printf '%s; ' "${types_failed[@]}" | sed 's/; $//')"
fi

say "ok: contents, README links, publint, attw, import and require, types of the packed tarball"
