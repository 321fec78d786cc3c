#!/usr/bin/env node
/**
 * A small assembler for the WebAssembly text format, enough for src/cli/simd.wat (there is no
 * WebAssembly assembler among the dependencies). It knows one `module` with memories and functions,
 * inline exports, named or numbered params, locals and labels, and flat (not folded) instructions from
 * the table below; anything else is an error that names it. To use another instruction, add its row.
 *
 *   node scripts/wat.js           assembles src/cli/simd.wat into src/cli/simd-wasm.ts
 *   node scripts/wat.js --check   exits 1 if src/cli/simd-wasm.ts is not what simd.wat assembles to
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const VALUE_TYPES = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/**
 * Instructions: opcode bytes, then the kind of immediate. `memarg` rows give the natural alignment
 * (log2 of bytes), the default when the text names none.
 */
const SIMD = 0xfd;
const INSTRUCTIONS = {
  block: { op: [0x02], imm: 'block' },
  loop: { op: [0x03], imm: 'block' },
  end: { op: [0x0b], imm: 'end' },
  br: { op: [0x0c], imm: 'label' },
  br_if: { op: [0x0d], imm: 'label' },
  select: { op: [0x1b] },
  'local.get': { op: [0x20], imm: 'local' },
  'local.set': { op: [0x21], imm: 'local' },
  'local.tee': { op: [0x22], imm: 'local' },
  'i32.load8_u': { op: [0x2d], imm: 'memarg', align: 0 },
  'i32.const': { op: [0x41], imm: 'i32' },
  'i32.eq': { op: [0x46] },
  'i32.lt_u': { op: [0x49] },
  'i32.ge_u': { op: [0x4f] },
  'i32.add': { op: [0x6a] },
  'i32.and': { op: [0x71] },
  'v128.load': { op: [SIMD, 0x00], imm: 'memarg', align: 4 },
  'v128.const': { op: [SIMD, 0x0c], imm: 'v128' },
  'i8x16.splat': { op: [SIMD, 0x0f] },
  'i32x4.extract_lane': { op: [SIMD, 0x1b], imm: 'lane' },
  'i8x16.eq': { op: [SIMD, 0x23] },
  'i8x16.sub': { op: [SIMD, 0x71] },
  'i16x8.extadd_pairwise_i8x16_u': { op: [SIMD, 0x7d] },
  'i32x4.extadd_pairwise_i16x8_u': { op: [SIMD, 0x7f] },
};

/** LEB128, unsigned. */
function u32(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** LEB128, signed (32-bit). */
function s32(n) {
  const out = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vector = (items) => [...u32(items.length), ...items.flat()];
const section = (id, bytes) => [id, ...u32(bytes.length), ...bytes];
const name = (text) => vector([...Buffer.from(text, 'utf8')]);

/** Tokens: parentheses, strings (kept with their quotes), atoms; `;;` and `(; ;)` comments dropped. */
function tokenize(text) {
  const re = /\(;[\s\S]*?;\)|;;[^\n]*|\s+|"(?:[^"\\]|\\.)*"|[()]|[^\s()";]+/y;
  const tokens = [];
  for (let at = 0; at < text.length; at = re.lastIndex) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (m === null) throw new Error(`cannot read the text at ${JSON.stringify(text.slice(at, at + 20))}`);
    if (!/^(\s|;;|\(;)/.test(m[0])) tokens.push(m[0]);
  }
  return tokens;
}

/** S-expressions: a list is an array, an atom a string. */
function parse(tokens) {
  const stack = [[]];
  for (const t of tokens) {
    if (t === '(') stack.push([]);
    else if (t === ')') {
      const list = stack.pop();
      if (stack.length === 0) throw new Error('unbalanced ")"');
      stack.at(-1).push(list);
    } else stack.at(-1).push(t);
  }
  if (stack.length !== 1) throw new Error('unbalanced "("');
  return stack[0];
}

function integer(text, what) {
  const clean = text.replace(/_/g, '');
  const value = /^[+-]?(0x[0-9a-f]+|\d+)$/i.test(clean) ? Number(clean.replace(/^([+-]?)0x/i, '$10x')) : NaN;
  if (!Number.isSafeInteger(value)) throw new Error(`${what}: expected an integer, got ${JSON.stringify(text)}`);
  return value;
}

function string(text) {
  if (!/^".*"$/.test(text)) throw new Error(`expected a string, got ${JSON.stringify(text)}`);
  return JSON.parse(text);
}

function valueType(t) {
  const code = VALUE_TYPES[t];
  if (code === undefined) throw new Error(`unknown value type ${JSON.stringify(t)}`);
  return code;
}

/** `(param $a i32)`, `(param i32 i32)`, same for `local`: pushes { name, type } entries. */
function declarations(list, into) {
  const [, ...rest] = list;
  if (rest[0]?.startsWith('$')) {
    if (rest.length !== 2) throw new Error(`(${list[0]} $name type) takes one type`);
    into.push({ name: rest[0], type: valueType(rest[1]) });
  } else for (const t of rest) into.push({ name: undefined, type: valueType(t) });
}

function indexOf(entries, ref, what) {
  if (ref === undefined) throw new Error(`${what}: missing`);
  if (ref.startsWith('$')) {
    const i = entries.findIndex((e) => e.name === ref);
    if (i === -1) throw new Error(`${what}: unknown ${ref}`);
    return i;
  }
  const i = integer(ref, what);
  if (i < 0 || i >= entries.length) throw new Error(`${what}: ${i} is out of range`);
  return i;
}

/** A function's body: flat instructions in, bytes out (the closing `end` included). */
function body(atoms, locals) {
  const out = [];
  const labels = [];
  let i = 0;
  const next = () => atoms[i++];
  while (i < atoms.length) {
    const word = next();
    if (Array.isArray(word)) throw new Error(`folded instructions are not supported: (${word.join(' ')})`);
    const ins = INSTRUCTIONS[word];
    if (ins === undefined) throw new Error(`unknown instruction ${JSON.stringify(word)} (add it to INSTRUCTIONS in scripts/wat.js)`);
    out.push(...ins.op);
    switch (ins.imm) {
      case 'block': {
        const label = typeof atoms[i] === 'string' && atoms[i].startsWith('$') ? next() : undefined;
        labels.push(label);
        out.push(0x40); // no parameters, no results
        break;
      }
      case 'end':
        if (labels.length === 0) throw new Error('"end" without a block or loop');
        labels.pop();
        if (typeof atoms[i] === 'string' && atoms[i].startsWith('$')) next(); // `end $label`
        break;
      case 'label': {
        const ref = next();
        let depth;
        if (typeof ref === 'string' && ref.startsWith('$')) {
          const at = labels.lastIndexOf(ref);
          if (at === -1) throw new Error(`${word}: no enclosing block or loop is ${ref}`);
          depth = labels.length - 1 - at;
        } else depth = integer(ref, word);
        out.push(...u32(depth));
        break;
      }
      case 'local':
        out.push(...u32(indexOf(locals, next(), word)));
        break;
      case 'i32': {
        const value = integer(next(), word);
        if (value < -(2 ** 31) || value >= 2 ** 32) throw new Error(`${word}: ${value} does not fit in 32 bits`);
        out.push(...s32(value | 0));
        break;
      }
      case 'memarg': {
        let align = ins.align;
        let offset = 0;
        while (typeof atoms[i] === 'string' && /^(offset|align)=/.test(atoms[i])) {
          const [key, text] = next().split('=');
          const value = integer(text, `${word} ${key}`);
          if (key === 'offset') offset = value;
          else {
            align = Math.log2(value);
            if (!Number.isInteger(align) || align > ins.align) throw new Error(`${word}: align=${value} is not a power of two up to the natural alignment`);
          }
        }
        out.push(...u32(align), ...u32(offset));
        break;
      }
      case 'lane': {
        const lane = integer(next(), word);
        if (lane < 0 || lane > 15) throw new Error(`${word}: lane ${lane} is out of range`);
        out.push(lane);
        break;
      }
      case 'v128': {
        const shape = next();
        const width = { i8x16: 1, i16x8: 2, i32x4: 4 }[shape];
        if (width === undefined) throw new Error(`${word}: unsupported shape ${JSON.stringify(shape)}`);
        for (let lane = 0; lane < 16 / width; lane++) {
          let value = integer(next(), `${word} ${shape}`);
          for (let b = 0; b < width; b++, value = Math.floor(value / 256)) out.push(((value % 256) + 256) % 256);
        }
        break;
      }
      default:
    }
  }
  if (labels.length !== 0) throw new Error(`${labels.length} block or loop left without "end"`);
  out.push(0x0b);
  return out;
}

/** Assembles the text of one module into its binary. */
export function assemble(text) {
  const top = parse(tokenize(text));
  if (top.length !== 1 || !Array.isArray(top[0]) || top[0][0] !== 'module') throw new Error('expected one (module …)');
  const types = [];
  const funcs = [];
  const memories = [];
  const exports = [];
  for (const field of top[0].slice(1)) {
    if (!Array.isArray(field)) throw new Error(`unexpected ${JSON.stringify(field)} in the module`);
    const [kind, ...rest] = field;
    // An optional $name (nothing refers to it here), then inline exports.
    let items = typeof rest[0] === 'string' && rest[0].startsWith('$') ? rest.slice(1) : rest;
    const exportNames = [];
    while (Array.isArray(items[0]) && items[0][0] === 'export') {
      exportNames.push(string(items[0][1]));
      items = items.slice(1);
    }
    if (kind === 'memory') {
      const [min, max] = items.map((x) => integer(x, 'memory'));
      for (const n of exportNames) exports.push([...name(n), 0x02, ...u32(memories.length)]);
      memories.push(max === undefined ? [0x00, ...u32(min)] : [0x01, ...u32(min), ...u32(max)]);
    } else if (kind === 'func') {
      const params = [];
      const results = [];
      const locals = [];
      let k = 0;
      for (; k < items.length && Array.isArray(items[k]); k++) {
        const head = items[k][0];
        if (head === 'param') declarations(items[k], params);
        else if (head === 'result') results.push(...items[k].slice(1).map(valueType));
        else if (head === 'local') declarations(items[k], locals);
        else throw new Error(`(${head} …) is not supported in a func (instructions are written flat, not folded)`);
      }
      const signature = [0x60, ...vector(params.map((p) => [p.type])), ...vector(results.map((r) => [r]))];
      let type = types.findIndex((t) => t.join() === signature.join());
      if (type === -1) type = types.push(signature) - 1;
      // Locals in runs of one type: (count, type).
      const runs = [];
      for (const l of locals) {
        if (runs.length > 0 && runs.at(-1)[1] === l.type) runs.at(-1)[0]++;
        else runs.push([1, l.type]);
      }
      const code = [...vector(runs.map(([n, t]) => [...u32(n), t])), ...body(items.slice(k), [...params, ...locals])];
      for (const n of exportNames) exports.push([...name(n), 0x00, ...u32(funcs.length)]);
      funcs.push({ type, code });
    } else throw new Error(`(${kind} …) is not supported`);
  }
  const bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]; // "\0asm", version 1
  if (types.length > 0) bytes.push(...section(1, vector(types)));
  if (funcs.length > 0) bytes.push(...section(3, vector(funcs.map((f) => u32(f.type)))));
  if (memories.length > 0) bytes.push(...section(5, vector(memories)));
  if (exports.length > 0) bytes.push(...section(7, vector(exports)));
  if (funcs.length > 0) bytes.push(...section(10, vector(funcs.map((f) => [...u32(f.code.length), ...f.code]))));
  return Uint8Array.from(bytes);
}

const SOURCE = new URL('../src/cli/simd.wat', import.meta.url);
const TARGET = new URL('../src/cli/simd-wasm.ts', import.meta.url);

/** The TypeScript module that carries the binary. */
export function generated(binary) {
  return (
    '// Generated by `node scripts/wat.js` from simd.wat: do not edit (a test checks that the two match).\n' +
    `/** The WebAssembly module of simd.ts, ${binary.length} bytes, base64. */\n` +
    `export const SIMD_WASM = '${Buffer.from(binary).toString('base64')}';\n`
  );
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const expected = generated(assemble(readFileSync(SOURCE, 'utf8')));
  if (process.argv.includes('--check')) {
    let actual = '';
    try {
      actual = readFileSync(TARGET, 'utf8');
    } catch {
      /* missing: differs */
    }
    if (actual !== expected) {
      console.error('src/cli/simd-wasm.ts is not what src/cli/simd.wat assembles to: run `node scripts/wat.js`');
      process.exit(1);
    }
  } else writeFileSync(TARGET, expected);
}
