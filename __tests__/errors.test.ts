/**
 * Bad input fails fast, at the call, with a TypeError or RangeError that names the argument and shows the
 * value: "Expected `total` to be a non-negative number, got `-1` (number)".
 */
import { describe, expect, test } from '@jest/globals';
import {
  checkBoolean,
  checkFunction,
  checkNonNegative,
  checkNonNegativeInteger,
  checkNonNegativeOrInfinity,
  checkString,
  describeValue,
} from '../src/options/checks.js';
import { progress } from '../src/index.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';

/** Calls `fn`, returns what it threw (fails the test if it did not throw). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/** progress() loosely typed, for calls the types rightly forbid. */
const loose = progress as unknown as (source: unknown, options?: unknown) => unknown;
const looseBar = progress.bar as unknown as (options?: unknown) => ReturnType<typeof progress.bar>;

function quiet(): { stream: MemoryStream; clock: () => number } {
  return { stream: new MemoryStream(), clock: new FakeClock().read };
}

describe('sources', () => {
  test.each([
    [null, TypeError, 'Expected `source` to be an iterable, an async iterable or a non-negative integer, got `null` (null)'],
    [undefined, TypeError, 'Expected `source` to be an iterable, an async iterable or a non-negative integer, got `undefined` (undefined)'],
    [{}, TypeError, 'Expected `source` to be an iterable, an async iterable or a non-negative integer, got `{…}` (object)'],
    [true, TypeError, 'Expected `source` to be an iterable, an async iterable or a non-negative integer, got `true` (boolean)'],
    [10n, TypeError, 'Expected `source` to be an iterable, an async iterable or a non-negative integer, got `10n` (bigint)'],
    [-1, RangeError, 'Expected `n` to be a non-negative integer, got `-1` (number)'],
    [1.5, RangeError, 'Expected `n` to be a non-negative integer, got `1.5` (number)'],
    [Infinity, RangeError, 'Expected `n` to be a non-negative integer, got `Infinity` (number)'],
    [NaN, TypeError, 'Expected `n` to be a non-negative integer, got `NaN` (number)'],
  ])('progress(%p) throws %p', (source, type, message) => {
    const error = thrown(() => loose(source, quiet()));
    expect(error).toBeInstanceOf(type);
    expect(error.message).toBe(message);
  });

  test('a class instance that is not iterable is named by its class', () => {
    class Rows {}
    expect(thrown(() => loose(new Rows())).message).toMatch(/`source`.*got `\[object Rows\]` \(object\)/);
  });

  test('the error comes at the call, before any iteration', () => {
    expect(() => loose(null)).toThrow(TypeError); // not deferred to the first next()
  });
});

describe('options', () => {
  test.each([
    [{ total: -1 }, RangeError, 'Expected `total` to be a non-negative number, got `-1` (number)'],
    [{ total: 'x' }, TypeError, 'Expected `total` to be a non-negative number, got `"x"` (string)'],
    [{ total: NaN }, TypeError, 'Expected `total` to be a non-negative number, got `NaN` (number)'],
    [{ total: Infinity }, RangeError, 'Expected `total` to be a non-negative number, got `Infinity` (number)'],
    [{ minInterval: -5 }, RangeError, 'Expected `minInterval` to be a non-negative number, got `-5` (number)'],
    [{ minInterval: '100' }, TypeError, 'Expected `minInterval` to be a non-negative number, got `"100"` (string)'],
    [{ initial: -1 }, RangeError, 'Expected `initial` to be a non-negative number, got `-1` (number)'],
    [{ plainInterval: -1 }, RangeError, 'Expected `plainInterval` to be a non-negative number, got `-1` (number)'],
    [{ rateWindow: -1 }, RangeError, 'Expected `rateWindow` to be a non-negative number, got `-1` (number)'],
    [{ desc: 5 }, TypeError, 'Expected `desc` to be a string, got `5` (number)'],
    [{ unit: '' }, TypeError, 'Expected `unit` to be a non-empty string, got `""` (string)'],
    [{ leave: 'yes' }, TypeError, 'Expected `leave` to be a boolean, got `"yes"` (string)'],
    [{ disable: 1 }, TypeError, 'Expected `disable` to be a boolean, got `1` (number)'],
    [{ unitScale: 'always' }, TypeError, "Expected `unitScale` to be a boolean or 'auto', got `\"always\"` (string)"],
    [{ clock: 5 }, TypeError, 'Expected `clock` to be a function, got `5` (number)'],
    [{ postfix: 5 }, TypeError, 'Expected `postfix` to be a string or an object, got `5` (number)'],
  ])('%p → %p', (options, type, message) => {
    for (const call of [
      () => loose([1, 2], { ...quiet(), ...options }),
      () => loose(3, { ...quiet(), ...options }),
      () => looseBar({ ...quiet(), ...options }),
    ]) {
      const error = thrown(call);
      expect(error).toBeInstanceOf(type);
      expect(error.message).toBe(message);
    }
  });

  test('width must be a positive integer', () => {
    for (const width of [0, 1.5, -3]) {
      const error = thrown(() => loose([1], { ...quiet(), width }));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toContain('`width`');
      expect(error.message).toContain(String(width));
    }
  });

  test('width is at most 1000 columns (1e8 ran out of memory while drawing)', () => {
    for (const width of [1001, 1e8, 2 ** 40]) {
      const error = thrown(() => loose([1], { ...quiet(), width }));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toBe(`Expected \`width\` to be an integer from 1 to 1000, got \`${width}\` (number)`);
      expect(thrown(() => looseBar({ ...quiet(), width })).message).toContain('`width`');
    }
    const stream = new MemoryStream();
    for (const _ of progress([1], { stream, width: 1000, total: 1 }));
    expect(stream.lines.at(-1)).toHaveLength(1000);
  });

  test.each([
    [5, 'Expected `weight` to be a function, got `5` (number)'],
    ['length', 'Expected `weight` to be a function, got `"length"` (string)'],
    [null, 'Expected `weight` to be a function, got `null` (null)'],
  ])('non-function weight %p', (weight, message) => {
    for (const source of [[1], new Set([1]), (async function* () {})()]) {
      const error = thrown(() => loose(source, { ...quiet(), weight }));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe(message);
    }
  });

  test('weight does not apply to a range', () => {
    const error = thrown(() => loose(3, { ...quiet(), weight: () => 1 }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain('`weight`');
  });

  test.each([
    [{}, 'got `{…}` (object)'],
    [{ write: 'yes' }, 'got `{…}` (object)'],
    [null, 'got `null` (null)'],
    ['stderr', 'got `"stderr"` (string)'],
  ])('a stream without write(): %p', (stream, shown) => {
    const error = thrown(() => loose([1], { stream }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(`Expected \`stream\` to be a writable stream (an object with a \`write\` method), ${shown}`);
    expect(thrown(() => looseBar({ stream })).message).toContain('`stream`');
  });

  test('an unknown option is named', () => {
    const error = thrown(() => loose([1], { ...quiet(), totl: 5 }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('Unknown option `totl`');
    expect(thrown(() => looseBar({ colour: 'red' })).message).toBe('Unknown option `colour`');
  });

  test('options that are not an object', () => {
    for (const options of [null, 5, 'desc', [1]]) {
      const error = thrown(() => loose([1], options));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toMatch(/^Expected `options` to be an object, got /);
    }
  });

  test('a bad option leaves nothing behind: no write, the next good bar works', () => {
    const stream = new MemoryStream();
    expect(() => loose([1], { stream, total: -1 })).toThrow(RangeError);
    expect(stream.writes).toEqual([]);
    expect([...progress([1, 2], { stream })]).toEqual([1, 2]);
    expect(stream.lines).toHaveLength(1);
  });
});

describe('option tables (src/options/)', () => {
  test('several bad options: an unknown key first, else the first bad one in the table, whatever the key order', () => {
    for (const options of [
      { desc: 5, unit: '' },
      { unit: '', desc: 5 },
    ]) {
      expect(thrown(() => loose([1], { ...quiet(), ...options })).message).toBe('Expected `unit` to be a non-empty string, got `""` (string)');
    }
    for (const options of [
      { total: -1, totl: 5 },
      { totl: 5, total: -1 },
    ]) {
      expect(thrown(() => looseBar({ ...quiet(), ...options })).message).toBe('Unknown option `totl`');
    }
    const map = progress.map as unknown as (source: unknown, fn: unknown, options: unknown) => unknown;
    expect(thrown(() => map([1], String, { concurrency: 0, stallAfter: 'x' })).message).toBe(
      'Expected `stallAfter` to be a non-negative number of milliseconds or `false`, got `"x"` (string)',
    );
  });

  test('options are read as properties: getters of a class and inherited options count, as before the tables', () => {
    const { stream, clock } = quiet();
    class Settings {
      get stream(): MemoryStream {
        return stream as MemoryStream;
      }
      get total(): number {
        return 7;
      }
    }
    const bar = looseBar(new Settings());
    expect(bar.total).toBe(7);
    bar.close();
    const inherited = looseBar(Object.assign(Object.create({ desc: 'inherited' }) as object, { stream, clock }));
    expect(inherited.desc).toBe('inherited');
    inherited.close();
  });

  test('one signal rule everywhere: checked by shape, not by `instanceof AbortSignal`', async () => {
    const { stream } = quiet();
    const signalLike = { aborted: false, reason: undefined, addEventListener() {}, removeEventListener() {} };
    expect(() => progress.stream({ stream, signal: signalLike } as never).destroy()).not.toThrow();
    expect([...progress([1], { stream, signal: signalLike as never })]).toEqual([1]);
    await expect(progress.gather([1], { stream, signal: signalLike as never })).resolves.toEqual([1]);
    for (const call of [
      () => progress.stream({ stream, signal: {} } as never),
      () => loose([1], { stream, signal: {} }),
      () => loose([Promise.resolve(1)], { stream, signal: {} }),
      () => progress.asCompleted([1], { stream, signal: {} as never }),
    ]) {
      expect(thrown(call).message).toBe('Expected `signal` to be an AbortSignal, got `{…}` (object)');
    }
  });
});

describe('manual bar', () => {
  test("bar.update('5') names n and the value", () => {
    const bar = progress.bar(quiet());
    const error = thrown(() => bar.update('5' as unknown as number));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('Expected `n` to be a finite number, got `"5"` (string)');
    expect(bar.n).toBe(0); // nothing counted
    bar.close();
  });

  test('bar.update(Infinity) and bar.update(NaN) are refused: the count never becomes non-finite', () => {
    const bar = progress.bar({ stream: new MemoryStream(), total: 10 });
    expect(() => bar.update(Infinity)).toThrow('Expected `n` to be a finite number, got `Infinity` (number)');
    expect(() => bar.update(NaN)).toThrow('Expected `n` to be a finite number, got `NaN` (number)');
    expect(bar.n).toBe(0);
    bar.close();
  });

  test('bar.update(NaN) is refused', () => {
    const bar = progress.bar(quiet());
    const error = thrown(() => bar.update(NaN));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain('`NaN`');
    expect(bar.n).toBe(0);
    bar.close();
  });

  test('bar.set({ total: -3 }) names total and the value, and changes nothing', () => {
    const bar = progress.bar({ ...quiet(), total: 10 });
    const error = thrown(() => bar.set({ total: -3 }));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('Expected `total` to be a non-negative number, got `-3` (number)');
    expect(bar.total).toBe(10);
    bar.close();
  });

  test('bar.set with a bad desc, postfix or argument', () => {
    const bar = progress.bar(quiet());
    expect(thrown(() => bar.set({ desc: 5 as unknown as string })).message).toBe('Expected `desc` to be a string, got `5` (number)');
    expect(thrown(() => bar.set({ postfix: 5 as unknown as string })).message).toBe(
      'Expected `postfix` to be a string or an object, got `5` (number)',
    );
    expect(thrown(() => bar.set(null as never)).message).toBe('Expected `update` to be an object, got `null` (null)');
    bar.close();
  });
});

describe('manual bar: unknown keys, closed bars, overflow (issue 8, item 16)', () => {
  test('bar.set({ bogus }) throws a TypeError naming the key, and changes nothing', () => {
    const bar = progress.bar({ ...quiet(), desc: 'a' });
    const error = thrown(() => bar.set({ desc: 'b', bogus: 1 } as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('Unknown option `bogus` (bar.set() takes `desc`, `total`, `postfix` and `n`)');
    expect(bar.desc).toBe('a');
    bar.close();
  });

  test('update() after close() is ignored: the count and the final line stay as closed', () => {
    const stream = new MemoryStream();
    const bar = progress.bar({ stream, clock: new FakeClock().read, total: 10 });
    bar.update(4);
    bar.close();
    const written = stream.text;
    bar.update(3);
    bar.update();
    expect(bar.n).toBe(4);
    expect(stream.text).toBe(written);
    expect(() => bar.update('x' as unknown as number)).toThrow(TypeError); // a bad argument is still an error
  });

  test('update(1e308) twice: a RangeError naming n, and the count stays finite', () => {
    const bar = progress.bar(quiet());
    bar.update(1e308);
    const error = thrown(() => bar.update(1e308));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('Expected `n` to keep the count finite (it is 1e+308), got `1e+308` (number)');
    expect(bar.n).toBe(1e308);
    bar.update(-1e308);
    expect(bar.n).toBe(0);
    bar.close();
  });
});

describe('error messages stay short', () => {
  test('a long string value is cut', () => {
    const error = thrown(() => loose([1], { ...quiet(), total: 'x'.repeat(1_000) }));
    expect(error.message.length).toBeLessThan(120);
    expect(error.message).toContain('…');
  });

  test('an array or a function is summarised, not dumped', () => {
    expect(thrown(() => loose([1], { ...quiet(), total: [1, 2, 3] })).message).toBe(
      'Expected `total` to be a non-negative number, got `[Array(3)]` (array)',
    );
    function named(): void {}
    expect(thrown(() => loose([1], { ...quiet(), desc: named })).message).toBe(
      'Expected `desc` to be a string, got `[Function named]` (function)',
    );
  });
});

describe('how a value is shown in a message', () => {
  test.each([
    ['x'.repeat(40), `\`"${'x'.repeat(40)}"\` (string)`], // 40 characters are shown whole
    ['x'.repeat(41), `\`"${'x'.repeat(40)}…"\` (string)`],
    [() => {}, '`[Function]` (function)'], // an anonymous arrow has no name to show
    [{ a: 1 }, '`{…}` (object)'],
    [Object.create(null), '`{…}` (object)'],
    [new Map(), '`[object Map]` (object)'],
    [{ constructor: { name: 42 } }, '`{…}` (object)'],
    [undefined, '`undefined` (undefined)'],
    [Symbol('s'), '`Symbol(s)` (symbol)'],
    [[], '`[Array(0)]` (array)'],
  ])('describeValue(%p) → %s', (value, shown) => {
    expect(describeValue(value)).toBe(shown);
  });
});

describe('the checks every option goes through', () => {
  const message = (fn: () => unknown): string => `${thrown(fn).constructor.name}: ${thrown(fn).message}`;

  test('non-negative numbers: finite, 0 included; NaN is not a number, Infinity and -0.5 are out of range', () => {
    expect(checkNonNegative('total', 0)).toBe(0);
    expect(checkNonNegative('total', 2.5)).toBe(2.5);
    expect(message(() => checkNonNegative('total', NaN))).toBe('TypeError: Expected `total` to be a non-negative number, got `NaN` (number)');
    expect(message(() => checkNonNegative('total', '1'))).toBe('TypeError: Expected `total` to be a non-negative number, got `"1"` (string)');
    expect(message(() => checkNonNegative('total', -0.5))).toBe('RangeError: Expected `total` to be a non-negative number, got `-0.5` (number)');
    expect(message(() => checkNonNegative('total', Infinity))).toBe('RangeError: Expected `total` to be a non-negative number, got `Infinity` (number)');
  });

  test('intervals that may be switched off: Infinity is allowed, NaN and negatives are not', () => {
    expect(checkNonNegativeOrInfinity('minInterval', 0)).toBe(0);
    expect(checkNonNegativeOrInfinity('minInterval', Infinity)).toBe(Infinity);
    expect(message(() => checkNonNegativeOrInfinity('minInterval', NaN))).toBe('TypeError: Expected `minInterval` to be a non-negative number, got `NaN` (number)');
    expect(message(() => checkNonNegativeOrInfinity('minInterval', null))).toBe('TypeError: Expected `minInterval` to be a non-negative number, got `null` (null)');
    expect(message(() => checkNonNegativeOrInfinity('minInterval', -1))).toBe('RangeError: Expected `minInterval` to be a non-negative number, got `-1` (number)');
    expect(message(() => checkNonNegativeOrInfinity('minInterval', -Infinity))).toBe('RangeError: Expected `minInterval` to be a non-negative number, got `-Infinity` (number)');
  });

  test('non-negative integers: safe integers only', () => {
    expect(checkNonNegativeInteger('concurrency', 0)).toBe(0);
    expect(checkNonNegativeInteger('concurrency', Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(message(() => checkNonNegativeInteger('concurrency', NaN))).toBe('TypeError: Expected `concurrency` to be a non-negative integer, got `NaN` (number)');
    expect(message(() => checkNonNegativeInteger('concurrency', '2'))).toBe('TypeError: Expected `concurrency` to be a non-negative integer, got `"2"` (string)');
    for (const bad of [-1, 1.5, 2 ** 53, Infinity]) {
      expect(message(() => checkNonNegativeInteger('concurrency', bad))).toMatch(/^RangeError: Expected `concurrency` to be a non-negative integer, got `/);
    }
  });

  test('strings, booleans and functions', () => {
    expect(checkString('desc', '')).toBe('');
    expect(message(() => checkString('desc', 1))).toBe('TypeError: Expected `desc` to be a string, got `1` (number)');
    expect(checkBoolean('leave', false)).toBe(false);
    expect(message(() => checkBoolean('leave', 0))).toBe('TypeError: Expected `leave` to be a boolean, got `0` (number)');
    const fn = (): number => 1;
    expect(checkFunction('clock', fn)).toBe(fn);
    expect(message(() => checkFunction('clock', {}))).toBe('TypeError: Expected `clock` to be a function, got `{…}` (object)');
  });
});
