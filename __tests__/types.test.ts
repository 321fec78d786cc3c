/**
 * Type-level tests, checked by `tsc --noEmit -p tsconfig.json` (Jest does not type-check): what
 * `progress(source)` yields for each kind of source, the manual bar's members, and options that must not
 * compile. The few run-time `expect`s only make Jest count the file.
 *
 * Node `Readable`: @types/node declares `Readable[Symbol.asyncIterator]()` as `AsyncIterator<any>`, so
 * `progress(readable)` yields `any`, as a bare `for await (const chunk of readable)` does. State the chunk
 * type with a type argument, `progress<Buffer>(readable)`, or iterate a typed source (a web
 * `ReadableStream<Uint8Array>` yields `Uint8Array`).
 */
import { describe, expect, test } from '@jest/globals';
import { Readable } from 'node:stream';
import { type Bar, gather, progress } from '../src/index.js';
import type { BarOptions, IterableOptions, ProgressAsyncIterator, ProgressIterator } from '../src/index.js';
import type { ElementOf, IsAny, IsExact } from '../test-support/expect-type.js';
import { expectType } from '../test-support/expect-type.js';

interface Row {
  id: number;
  name: string;
}

declare const rows: Row[];
declare const readonlyRows: readonly Row[];
declare const set: Set<string>;
declare const map: Map<string, number>;
declare const text: string;
declare const bytes: Uint8Array;
declare function numbers(): Generator<number, void, undefined>;
declare function records(): AsyncGenerator<Row, void, undefined>;
declare const readable: Readable;
declare const web: ReadableStream<Uint8Array>;

/** Never called: only type-checked. */
function typeChecks(): void {
  // Sync sources.
  const it1 = progress(rows);
  expectType<IsExact<typeof it1, ProgressIterator<Row>>>();
  expectType<IsExact<ElementOf<typeof it1>, Row>>();
  for (const row of progress(rows)) expectType<IsExact<typeof row, Row>>();
  for (const row of progress(readonlyRows)) expectType<IsExact<typeof row, Row>>();
  for (const x of progress([1, 'a'] as const)) expectType<IsExact<typeof x, 1 | 'a'>>();
  for (const s of progress(set)) expectType<IsExact<typeof s, string>>();
  for (const entry of progress(map)) expectType<IsExact<typeof entry, [string, number]>>();
  for (const ch of progress(text)) expectType<IsExact<typeof ch, string>>();
  for (const b of progress(bytes)) expectType<IsExact<typeof b, number>>();
  for (const n of progress(numbers())) expectType<IsExact<typeof n, number>>();

  // A range.
  const range = progress(1000);
  expectType<IsExact<typeof range, ProgressIterator<number>>>();
  for (const i of progress(10, { desc: 'range' })) expectType<IsExact<typeof i, number>>();

  // Async sources.
  const it2 = progress(records());
  expectType<IsExact<typeof it2, ProgressAsyncIterator<Row>>>();
  expectType<IsExact<ElementOf<typeof it2>, Row>>();
  void (async () => {
    for await (const r of progress(records())) expectType<IsExact<typeof r, Row>>();
    for await (const chunk of progress(web, { unit: 'B' })) expectType<IsExact<typeof chunk, Uint8Array>>();
    // Node Readable: `any`, as declared by @types/node (see the note at the top)…
    for await (const chunk of progress(readable)) expectType<IsAny<typeof chunk>>();
    for await (const chunk of progress(Readable.from(['a']))) expectType<IsAny<typeof chunk>>();
    // …and a type argument states what it yields.
    for await (const chunk of progress<Buffer>(readable, { unit: 'B' })) expectType<IsExact<typeof chunk, Buffer>>();
  })();

  // Nothing above is `any`: the helper tells `any` apart.
  // @ts-expect-error `any` is not exactly `Row`
  expectType<IsExact<any, Row>>();
  // @ts-expect-error `Row` is not exactly `any`
  expectType<IsExact<Row, any>>();

  // The bar of an iteration, and the manual bar.
  expectType<IsExact<typeof it1.bar, Bar>>();
  expectType<IsExact<typeof it2.bar, Bar>>();
  const bar = progress.bar({ desc: 'upload', total: 10, unit: 'B' });
  expectType<IsExact<typeof bar, Bar>>();
  expectType<IsExact<typeof bar.n, number>>();
  expectType<IsExact<typeof bar.total, number | undefined>>();
  expectType<IsExact<typeof bar.elapsed, number>>();
  expectType<IsExact<typeof bar.rate, number | undefined>>();
  expectType<IsExact<typeof bar.desc, string>>();
  expectType<IsExact<ReturnType<typeof bar.update>, void>>();
  expectType<IsExact<Parameters<typeof bar.update>, [n?: number | undefined]>>();
  bar.update();
  bar.update(2.5);
  bar.set({ desc: 'retry', total: undefined, postfix: { retries: 1 } });
  bar.set({ postfix: 'text' });
  {
    using scoped = progress.bar();
    expectType<IsExact<typeof scoped, Bar>>();
  }

  // The weight callback gets the element type.
  progress(rows, {
    weight: (row) => {
      expectType<IsExact<typeof row, Row>>();
      return row.id;
    },
  });
  progress(records(), {
    weight: (row) => {
      expectType<IsExact<typeof row, Row>>();
      return 1;
    },
  });
  expectType<IsExact<IterableOptions<Row>['weight'], ((item: Row) => number) | undefined>>();

  // Options that must not compile.
  // @ts-expect-error unknown option
  progress(rows, { colour: 'red' });
  // @ts-expect-error `total` is a number
  progress(rows, { total: '5' });
  // @ts-expect-error `weight` takes the element type
  progress(rows, { weight: (s: string) => s.length });
  // @ts-expect-error `weight` returns a number
  progress(rows, { weight: (row: Row) => row.name });
  // @ts-expect-error `leave` is a boolean
  progress.bar({ leave: 'yes' });
  // @ts-expect-error `stream` needs `write`
  progress.bar({ stream: {} });
  // @ts-expect-error not a source
  progress(null);
  // @ts-expect-error not a source
  progress({ length: 3 });
  // @ts-expect-error `update` takes a number
  bar.update('5');
  // @ts-expect-error `n` is read-only
  bar.n = 5;
  // @ts-expect-error `set({ n })` takes a number
  bar.set({ n: '5' });
  // @ts-expect-error `set` does not take `initial`
  bar.set({ initial: 5 });
  // @ts-expect-error `unitDivisor` is 1000 or 1024
  progress.bar({ unitDivisor: 1023 });
  const options: BarOptions = { desc: 'ok', total: 3, minInterval: 50, leave: false, unitScale: 'auto' };
  progress.bar(options);

  gatherTypes();
}

declare const pn: Promise<number>;
declare const ps: Promise<string>;
declare const thenable: PromiseLike<boolean>;
declare const promises: Promise<number>[];
declare const readonlyPromises: readonly Promise<number>[];
declare const pair: [Promise<number>, Promise<string>];
declare const readonlyPair: readonly [Promise<number>, Promise<string>];
declare const promiseSet: Set<Promise<number>>;
declare function promiseGen(): Generator<Promise<string>, void, undefined>;
declare const settleFlag: boolean;

/** `gather` keeps what `Promise.all` / `Promise.allSettled` keep: tuples per position, arrays as arrays. */
function gatherTypes(): void {
  // Tuples: a literal, a declared tuple, a readonly one (`as const`), thenables and plain values.
  const literal = progress.gather([pn, ps]);
  expectType<IsExact<typeof literal, Promise<[number, string]>>>();
  const viaAll = Promise.all([pn, ps]);
  expectType<IsExact<typeof literal, typeof viaAll>>();
  const mixed = progress.gather([pn, thenable, 'plain', 7]);
  expectType<IsExact<typeof mixed, Promise<[number, boolean, string, number]>>>();
  const declared = progress.gather(pair, { desc: 'pair' });
  expectType<IsExact<typeof declared, Promise<[number, string]>>>();
  const ro = progress.gather(readonlyPair);
  expectType<IsExact<typeof ro, Promise<[number, string]>>>();
  const constant = progress.gather([pn, ps] as const);
  expectType<IsExact<typeof constant, Promise<[number, string]>>>();
  const empty = progress.gather([]);
  expectType<IsExact<typeof empty, Promise<[]>>>();
  // The named export is the same function.
  const named = gather([pn, ps], { settle: false });
  expectType<IsExact<typeof named, Promise<[number, string]>>>();

  // Arrays stay arrays (a readonly one becomes mutable, as with `Promise.all`).
  const array = progress.gather(promises);
  expectType<IsExact<typeof array, Promise<number[]>>>();
  const roArray = progress.gather(readonlyPromises);
  expectType<IsExact<typeof roArray, Promise<number[]>>>();
  const mapped = progress.gather(rows.map(async (row) => row.name));
  expectType<IsExact<typeof mapped, Promise<string[]>>>();

  // Iterables that are not arrays: an array of the awaited element type.
  const fromSet = progress.gather(promiseSet);
  expectType<IsExact<typeof fromSet, Promise<number[]>>>();
  const fromGen = progress.gather(promiseGen());
  expectType<IsExact<typeof fromGen, Promise<string[]>>>();

  // Settle mode: `Promise.allSettled`'s records (no index: that is `asCompleted` and `map`), per position.
  const settledPair = progress.gather([pn, ps], { settle: true });
  expectType<IsExact<typeof settledPair, Promise<[PromiseSettledResult<number>, PromiseSettledResult<string>]>>>();
  const viaAllSettled = Promise.allSettled([pn, ps]);
  expectType<IsExact<typeof settledPair, typeof viaAllSettled>>();
  const settledRo = progress.gather(readonlyPair, { settle: true, desc: 'pair' });
  expectType<IsExact<typeof settledRo, Promise<[PromiseSettledResult<number>, PromiseSettledResult<string>]>>>();
  const settledArray = progress.gather(promises, { settle: true });
  expectType<IsExact<typeof settledArray, Promise<PromiseSettledResult<number>[]>>>();
  const settledSet = progress.gather(promiseSet, { settle: true });
  expectType<IsExact<typeof settledSet, Promise<PromiseSettledResult<number>[]>>>();
  // `settle` known only at run time: either shape.
  const either = progress.gather([pn, ps], { settle: settleFlag });
  expectType<
    IsExact<typeof either, Promise<[number, string] | [PromiseSettledResult<number>, PromiseSettledResult<string>]>>
  >();
  const eitherSet = progress.gather(promiseSet, { settle: settleFlag });
  expectType<IsExact<typeof eitherSet, Promise<number[] | PromiseSettledResult<number>[]>>>();

  // `label` gets an input (of a tuple: any of its elements) and its index.
  progress.gather([pn, ps], {
    label: (item, index) => {
      expectType<IsExact<typeof item, Promise<number> | Promise<string>>>();
      expectType<IsExact<typeof index, number>>();
      return String(index);
    },
  });
  progress.gather(promiseSet, {
    label: (item) => {
      expectType<IsExact<typeof item, Promise<number>>>();
      return '';
    },
  });
  // @ts-expect-error `settle` is a boolean
  progress.gather([pn], { settle: 'yes' });
  // @ts-expect-error not an iterable
  progress.gather(pn);
}

describe('types', () => {
  test('the type-level checks compile (tsc --noEmit); at run time a range yields numbers', () => {
    expect(typeof typeChecks).toBe('function');
    const values: number[] = [...progress(3, { disable: true })];
    expect(values).toEqual([0, 1, 2]);
  });
});
