/**
 * Option tables: each set of options (a bar's, `progress(iterable)`'s, a stream's, each task function's)
 * is one table, option name → how a given value is checked and what a missing one means. The lists of
 * accepted keys are derived from the tables, so an option is added in one place (and each table is
 * checked against its documented interface with `satisfies`, so the compiler asks for the row).
 */
import { unknownOption } from './checks.js';

/** One option. */
export interface Option<V> {
  /** Checks a value that was given (never `undefined`) and returns what is used; `name` is the option's. */
  readonly check: (name: string, value: unknown) => V;
  /** What a missing or `undefined` option means (a function: `process.stderr` is read when a bar is made). */
  readonly default: () => V;
}

export type OptionTable = Readonly<Record<string, Option<unknown>>>;

/** The options of a table after `resolveTable`. */
export type ResolvedTable<Table extends OptionTable> = {
  -readonly [K in keyof Table]: ReturnType<Table[K]['check']> | ReturnType<Table[K]['default']>;
};

/** An option whose absence means `undefined` (none, or a default the caller works out). */
export const none = (): undefined => undefined;

/** Checks each option of `table` in the table's order, and fills in defaults. Other keys are not looked at. */
export function resolveTable<Table extends OptionTable>(table: Table, raw: Readonly<Record<string, unknown>>): ResolvedTable<Table> {
  const resolved: Record<string, unknown> = {};
  for (const name of Object.keys(table)) {
    const option = table[name] as Option<unknown>;
    const value = raw[name];
    resolved[name] = value === undefined ? option.default() : option.check(name, value);
  }
  return resolved as ResolvedTable<Table>;
}

/** Throws for the first key of `raw` that is in neither `known` nor `extra` ("Unknown option `totl`"). */
export function checkKnownKeys(raw: object, known: ReadonlySet<string>, extra: readonly string[] = []): void {
  for (const key of Object.keys(raw)) {
    if (!known.has(key) && !extra.includes(key)) throw unknownOption(key);
  }
}
