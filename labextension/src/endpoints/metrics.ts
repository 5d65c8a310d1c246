import { IEndpointMetrics, IVariantMinute, IVariantSummary } from './tokens';

/** The charts of an endpoint's detail, each a field of the minutes. */
export interface IChartSpec {
  /** The chart's title. */
  title: string;
  /** The unit of its values. */
  unit: string;
  field: keyof Omit<IVariantMinute, 'Timestamp'>;
  /** Microseconds shown as milliseconds. */
  scale: number;
  /** How the newest minute's variants make the figure beside the title. */
  combine: 'sum' | 'mean';
}

export const ENDPOINT_CHARTS: ReadonlyArray<IChartSpec> = [
  {
    title: 'Invocations',
    unit: 'per minute',
    field: 'Invocations',
    scale: 1,
    combine: 'sum'
  },
  {
    title: '4XX errors',
    unit: 'per minute',
    field: 'Invocation4XXErrors',
    scale: 1,
    combine: 'sum'
  },
  {
    title: '5XX errors',
    unit: 'per minute',
    field: 'Invocation5XXErrors',
    scale: 1,
    combine: 'sum'
  },
  {
    title: 'Abandoned (caller left)',
    unit: 'per minute',
    field: 'InvocationsAbandoned',
    scale: 1,
    combine: 'sum'
  },
  {
    title: 'ModelLatency',
    unit: 'ms',
    field: 'ModelLatency',
    scale: 1e-3,
    combine: 'mean'
  },
  {
    title: 'OverheadLatency',
    unit: 'ms',
    field: 'OverheadLatency',
    scale: 1e-3,
    combine: 'mean'
  },
  {
    title: 'CPUUtilization',
    unit: '% of a core',
    field: 'CPUUtilization',
    scale: 1,
    combine: 'mean'
  },
  {
    title: 'MemoryUtilization',
    unit: '%',
    field: 'MemoryUtilization',
    scale: 1,
    combine: 'mean'
  }
];

/** Epoch seconds of a minute's timestamp (ISO-8601 or epoch ms), or null. */
export function minuteSeconds(timestamp: string | number): number | null {
  const ms =
    typeof timestamp === 'number' ? timestamp : Date.parse(String(timestamp));
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

/** Variant names of an answer, sorted. */
export function metricVariants(metrics: IEndpointMetrics | null): string[] {
  return Object.keys(metrics?.Variants ?? {}).sort((a, b) =>
    a.localeCompare(b)
  );
}

/**
 * One chart's data as uPlot takes it: the union of every variant's minutes
 * (epoch seconds, ascending; the same for every field), then one series a variant (in `variants`'
 * order) with null where a variant has no value for a minute.
 */
export function chartSeries(
  metrics: IEndpointMetrics | null,
  spec: IChartSpec,
  variants: ReadonlyArray<string> = metricVariants(metrics)
): [number[], ...Array<Array<number | null>>] {
  const byVariant = variants.map(name => {
    const values = new Map<number, number>();
    for (const minute of metrics?.Variants?.[name] ?? []) {
      const t = minute ? minuteSeconds(minute.Timestamp) : null;
      const v = t === null ? undefined : minute[spec.field];
      if (t !== null && typeof v === 'number' && Number.isFinite(v)) {
        values.set(t, v * spec.scale);
      }
    }
    return values;
  });
  // Every minute the answer holds, with or without this field: all charts span the same time.
  const times = new Set<number>();
  for (const minutes of Object.values(metrics?.Variants ?? {})) {
    for (const minute of minutes ?? []) {
      const t = minute ? minuteSeconds(minute.Timestamp) : null;
      if (t !== null) {
        times.add(t);
      }
    }
  }
  const x = [...times].sort((a, b) => a - b);
  const ys = byVariant.map(values => x.map(t => values.get(t) ?? null));
  return [x, ...ys] as [number[], ...Array<Array<number | null>>];
}

/** The sum over the answer's minutes of a counter field, per variant. */
export function totals(
  metrics: IEndpointMetrics | null,
  field: IChartSpec['field']
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of metricVariants(metrics)) {
    out[name] = (metrics?.Variants[name] ?? []).reduce((sum, minute) => {
      const v = minute?.[field];
      return sum + (typeof v === 'number' && Number.isFinite(v) ? v : 0);
    }, 0);
  }
  return out;
}

/**
 * The figure beside a chart's title: the newest minute that has values,
 * its variants' values summed (counts) or averaged (latencies); null when
 * there is none.
 */
export function latestFigure(
  data: ReadonlyArray<ArrayLike<number | null | undefined>>,
  combine: IChartSpec['combine']
): number | null {
  const x = data[0] ?? [];
  for (let i = x.length - 1; i >= 0; i--) {
    const values: number[] = [];
    for (let s = 1; s < data.length; s++) {
      const v = data[s][i];
      if (typeof v === 'number' && Number.isFinite(v)) {
        values.push(v);
      }
    }
    if (values.length) {
      const sum = values.reduce((a, b) => a + b, 0);
      return combine === 'sum' ? sum : sum / values.length;
    }
  }
  return null;
}

/**
 * The variants with each instance's usage from the metrics answer's latest
 * samples (read every 10 s) where it has one: describe's usage is only as new
 * as the endpoint's last change.
 */
export function withLatestUsage(
  variants: ReadonlyArray<IVariantSummary>,
  metrics: IEndpointMetrics | null
): IVariantSummary[] {
  const latest = metrics?.Instances;
  if (!latest) {
    return [...variants];
  }
  return variants.map(v => {
    const samples = new Map(
      (latest[v.VariantName] ?? []).map(s => [s.Id, s] as const)
    );
    if (!samples.size || !v.Instances) {
      return v;
    }
    return {
      ...v,
      Instances: v.Instances.map(i => {
        const s = samples.get(i.Id);
        return s
          ? {
              ...i,
              CPUUtilization: s.CPUUtilization ?? i.CPUUtilization,
              MemoryUtilization: s.MemoryUtilization ?? i.MemoryUtilization,
              MemoryUsedBytes: s.MemoryUsedBytes ?? i.MemoryUsedBytes
            }
          : i;
      })
    };
  });
}
