/**
 * Option tables: each set of options (a bar's, `progress(iterable)`'s, a stream's, each task function's)
 * is one table, option name → how a given value is checked and what a missing one means. The keys each
 * function accepts are derived from its tables, so an option is added in one place (and each table is
 * checked against its documented interface with `satisfies`, so the compiler asks for the row).
 */
import { unknownOption } from './checks.js';

/** A default read each time options are resolved, not once (`process.stderr` is made on first read). */
export class Late<V> {
  constructor(readonly read: () => V) {}
}

export function late<V>(read: () => V): Late<V> {
  return new Late(read);
}

/** One option. */
export interface Option<V> {
  /** Checks a value that was given (never `undefined`) and returns what is used; `name` is the option's. */
  readonly check: (name: string, value: unknown) => V;
  /** What a missing or `undefined` option means. */
  readonly default: V | Late<V>;
}

export type OptionTable = Readonly<Record<string, Option<unknown>>>;

/** The options of a table, resolved. */
export type ResolvedTable<Table extends OptionTable> = {
  -readonly [K in keyof Table]:
    | ReturnType<Table[K]['check']>
    | (Table[K]['default'] extends Late<infer V> ? V : Table[K]['default']);
};

/** A table, with what resolving it needs worked out once. */
export interface OptionSet<Table extends OptionTable> {
  readonly table: Table;
  /** The option names, in the table's order: the order they are checked in. */
  readonly names: readonly string[];
  /** Name → option, for the lookups of `resolveTable` (a Map: one lookup, not a `has` and a keyed load). */
  readonly options: ReadonlyMap<string, Option<unknown>>;
  /**
   * Every option at its default (`undefined` for a late one), and the fields the caller works out after
   * (`optionSet`'s `derived`): each resolve starts from a copy and only sets properties it already has.
   */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** The options whose default is `Late`. */
  readonly late: readonly string[];
}

/**
 * @param derived fields the caller adds to the resolved options (the bar's `bytes`), with a placeholder:
 *   adding a property to an object copied by spread costs about 10 µs in Node 20 (each copy gets a map of
 *   its own), so the copy must already have every property.
 */
export function optionSet<Table extends OptionTable>(table: Table, derived: Readonly<Record<string, unknown>> = {}): OptionSet<Table> {
  const names = Object.keys(table);
  const options = new Map<string, Option<unknown>>();
  const defaults: Record<string, unknown> = {};
  const lateNames: string[] = [];
  for (const name of names) {
    const option = table[name] as Option<unknown>;
    options.set(name, option);
    defaults[name] = option.default instanceof Late ? undefined : option.default;
    if (option.default instanceof Late) lateNames.push(name);
  }
  for (const name of Object.keys(derived)) defaults[name] = derived[name];
  return { table, names, options, defaults, late: lateNames };
}

/** Throws for the first key of `raw` that is in neither the set nor `extra` ("Unknown option `totl`"). */
function checkKnownKeys(raw: object, options: ReadonlyMap<string, unknown>, extra: readonly string[]): void {
  for (const key of Object.keys(raw)) {
    if (!options.has(key) && !extra.includes(key)) throw unknownOption(key);
  }
}

/**
 * Checks the options of `set` that `raw` gives and fills in the defaults of the others. With `extra`, a
 * key of `raw` that is neither an option of the set nor in `extra` is an error ("Unknown option `totl`");
 * without it, such keys are not looked at (the bar's options of a task function: `resolveOptions`
 * checks them). The error, when several things are wrong, is always the same: an unknown key first (the
 * first in `raw`), else the first bad option in the table's order, whatever order `raw` has its keys in.
 *
 * Cost: only the keys a plain `raw` has are read, not every name of the table (each read is a
 * megamorphic keyed access, ≈ 20 ns), and the result starts as a copy of `defaults`, so every resolved
 * object of a set has one shape.
 */
export function resolveTable<Table extends OptionTable>(
  set: OptionSet<Table>,
  raw: Readonly<Record<string, unknown>>,
  extra?: readonly string[],
): ResolvedTable<Table> {
  const resolved: Record<string, unknown> = { ...set.defaults };
  const options = set.options;
  // A plain object's options are its own properties; any other object (a class instance with getters,
  // `Object.create(defaults)`) may inherit some, so each name of the table is read from it.
  const proto: unknown = Object.getPrototypeOf(raw);
  const plain = proto === Object.prototype || proto === null;
  if (!plain && extra !== undefined) checkKnownKeys(raw, options, extra);
  const keys = plain ? Object.getOwnPropertyNames(raw) : set.names;
  try {
    for (let i = 0; i < keys.length; i++) {
      const name = keys[i] as string;
      const option = options.get(name);
      if (option === undefined) {
        if (extra !== undefined && !extra.includes(name) && Object.prototype.propertyIsEnumerable.call(raw, name)) {
          throw unknownOption(name);
        }
        continue;
      }
      const value = raw[name];
      if (value !== undefined) resolved[name] = option.check(name, value);
    }
  } catch (error) {
    // Report what the checks in order report (a check that throws has no other effect).
    if (extra !== undefined) checkKnownKeys(raw, options, extra);
    for (const name of set.names) {
      const value = raw[name];
      if (value !== undefined) (options.get(name) as Option<unknown>).check(name, value);
    }
    throw error;
  }
  for (const name of set.late) {
    if (resolved[name] === undefined) resolved[name] = ((options.get(name) as Option<unknown>).default as Late<unknown>).read();
  }
  return resolved as ResolvedTable<Table>;
}
