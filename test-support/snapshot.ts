import type { Snapshot } from '../src/core/state.js';

/** A snapshot for formatting tests: a running bar at 420/1000, overridable field by field. */
export function makeSnapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    desc: 'rows',
    n: 420,
    total: 1000,
    unit: 'it',
    bytes: false,
    unitScale: false,
    elapsed: 3.4,
    rate: 123.4,
    eta: 4.7,
    postfix: '',
    outcome: 'running',
    ...over,
  };
}
