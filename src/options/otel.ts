/**
 * The options of `recordMetrics()` (`taqaddum/otel`). Only the OpenTelemetry entry imports this module:
 * the main entry never loads `@opentelemetry/api` (the import below is of types only).
 */
import type { Meter } from '@opentelemetry/api';
import { checkOptionsRecord, typeError } from './checks.js';
import { optionSet, resolveTable, type Option } from './table.js';

export interface MetricsOptions {
  /**
   * The OpenTelemetry meter the gauges are made with (an object with `createObservableGauge`,
   * `addBatchObservableCallback` and `removeBatchObservableCallback`).
   * @default metrics.getMeter('taqaddum', version): from the global MeterProvider of `@opentelemetry/api`
   * @example recordMetrics({ meter: provider.getMeter('etl') })
   */
  meter?: Meter | undefined;
}

const METER_METHODS = ['createObservableGauge', 'addBatchObservableCallback', 'removeBatchObservableCallback'] as const;

/** `meter`: checked by shape, as a meter of any copy of `@opentelemetry/api` (or a no-op one) is fine. */
function checkMeter(name: string, value: unknown): Meter {
  if (value === null || typeof value !== 'object' || METER_METHODS.some((m) => typeof (value as Record<string, unknown>)[m] !== 'function')) {
    throw typeError(name, `an OpenTelemetry Meter (with ${METER_METHODS.join(', ')})`, value);
  }
  return value as Meter;
}

const METRICS_OPTIONS = optionSet({
  meter: { check: checkMeter, default: undefined },
} satisfies { readonly [K in keyof MetricsOptions]-?: Option<MetricsOptions[K]> });

/** The options of `recordMetrics()`, checked: unknown keys, a `meter` that is not one. */
export function resolveMetricsOptions(options: unknown): { meter: Meter | undefined } {
  return resolveTable(METRICS_OPTIONS, checkOptionsRecord(options), []);
}
