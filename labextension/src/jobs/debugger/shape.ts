import { BadgeTone, IStatusBadge, badgeFrom } from '../../components/ToneBadge';
import {
  IIndexTensor,
  IProfilerSample,
  IRuleStatus,
  ITensorStep,
  ReductionValue
} from './tokens';

/** True for a training job whose request asks for the debugger's hook, rules or profiler. */
export function hasDebugger(job: Record<string, unknown> | null): boolean {
  if (!job) {
    return false;
  }
  const list = (v: unknown): boolean => Array.isArray(v) && v.length > 0;
  const profiler = job.ProfilerConfig as
    { DisableProfiler?: boolean } | undefined;
  return (
    !!job.DebugHookConfig ||
    list(job.DebugRuleConfigurations) ||
    list(job.ProfilerRuleConfigurations) ||
    (!!profiler && profiler.DisableProfiler !== true)
  );
}

const RULE_BADGES: Record<string, IStatusBadge> = {
  InProgress: { tone: 'running', label: 'In progress' },
  NoIssuesFound: { tone: 'success', label: 'No issues found' },
  IssuesFound: { tone: 'error', label: 'Issues found' },
  Error: { tone: 'warning', label: 'Error' },
  Stopping: { tone: 'neutral' as BadgeTone, label: 'Stopping' },
  Stopped: { tone: 'neutral' as BadgeTone, label: 'Stopped' }
};

/** The badge of a rule evaluation status. */
export function ruleBadge(status: string | null | undefined): IStatusBadge {
  return badgeFrom(RULE_BADGES, status);
}

/** Where a rule fired: its step, tensor and mode; null unless it found issues at a step. */
export function firedAt(
  status: IRuleStatus
): { step: number; tensor: string | null; mode: string | null } | null {
  if (
    status.RuleEvaluationStatus !== 'IssuesFound' ||
    typeof status.Step !== 'number'
  ) {
    return null;
  }
  return {
    step: status.Step,
    tensor: status.TensorName ?? null,
    mode: status.Mode ?? null
  };
}

/** A reduction as a number (`"NaN"`, `"Infinity"` read back); null for a histogram or junk. */
export function reductionNumber(
  value: ReductionValue | object | undefined
): number | null {
  if (typeof value === 'number') {
    return value;
  }
  if (value === 'NaN') {
    return NaN;
  }
  if (value === 'Infinity') {
    return Infinity;
  }
  if (value === '-Infinity') {
    return -Infinity;
  }
  return null;
}

const SCALAR_COLLECTIONS = ['losses', 'metrics', 'scalars'];

/** True for a tensor of one value that is a loss, metric or saved scalar. */
export function isScalar(t: IIndexTensor): boolean {
  const one = Array.isArray(t.shape) && t.shape.every(d => d === 1);
  return (
    (one || (!t.shape && !t.reductions)) &&
    (t.shape?.length === 0 ||
      t.collections.some(c => SCALAR_COLLECTIONS.includes(c)))
  );
}

/** Bytes of an element of a numpy dtype string this view reads (`<f8`, `<f4`, `<i8`, ...). */
const READERS: Record<string, [number, (v: DataView, at: number) => number]> = {
  '<f8': [8, (v, at) => v.getFloat64(at, true)],
  '<f4': [4, (v, at) => v.getFloat32(at, true)],
  '<i8': [8, (v, at) => Number(v.getBigInt64(at, true))],
  '<i4': [4, (v, at) => v.getInt32(at, true)],
  '<u8': [8, (v, at) => Number(v.getBigUint64(at, true))],
  '<u4': [4, (v, at) => v.getUint32(at, true)],
  '|b1': [1, (v, at) => v.getUint8(at)],
  '|u1': [1, (v, at) => v.getUint8(at)],
  '|i1': [1, (v, at) => v.getInt8(at)]
};

/** The one value stored at `offset` of an event file, or null (another dtype, out of bounds). */
export function decodeScalar(
  buffer: ArrayBuffer,
  offset: number,
  length: number,
  dtype: string
): number | null {
  const reader = READERS[dtype];
  if (!reader || length < reader[0] || offset + reader[0] > buffer.byteLength) {
    return null;
  }
  return reader[1](new DataView(buffer), offset);
}

/** Where a scalar's bytes are: `<event file>#<offset>`, the key of decoded values. */
export function scalarKey(eventFile: string, offset: number): string {
  return `${eventFile}#${offset}`;
}

/** A scalar's value: decoded from its event file (`values`), else its mean reduction. */
function scalarValue(
  t: IIndexTensor,
  eventFile: string,
  values: ReadonlyMap<string, number>
): number | null {
  if (typeof t.offset === 'number') {
    const v = values.get(scalarKey(eventFile, t.offset));
    if (v !== undefined) {
      return v;
    }
  }
  return reductionNumber(t.reductions?.mean);
}

/** Points of named series: `[step, value]`, sorted by step. */
export type StepSeries = Record<string, Array<[number, number]>>;

function add(series: StepSeries, name: string, step: number, v: number) {
  (series[name] ??= []).push([step, v]);
}

function sorted(series: StepSeries): StepSeries {
  for (const points of Object.values(series)) {
    points.sort((a, b) => a[0] - b[0]);
  }
  return series;
}

/**
 * The saved scalars (losses, metrics) over global steps, one series a
 * tensor and mode (`losses/loss (TRAIN)`, `losses/loss (EVAL)`), so both
 * modes are drawn together.
 */
export function scalarSeries(
  steps: Iterable<ITensorStep>,
  values: ReadonlyMap<string, number>
): StepSeries {
  const series: StepSeries = {};
  for (const s of steps) {
    for (const { entry, event_file } of s.index) {
      for (const t of entry.tensors ?? []) {
        if (!isScalar(t)) {
          continue;
        }
        const v = scalarValue(t, event_file, values);
        if (v !== null) {
          add(series, `${t.name} (${t.mode})`, s.step, v);
        }
      }
    }
  }
  return sorted(series);
}

/** Scalars whose value is only in their event file: what to read (file and offsets). */
export function scalarsToRead(
  step: ITensorStep,
  maxFileBytes: number
): Array<{ eventFile: string; tensors: IIndexTensor[] }> {
  const out: Array<{ eventFile: string; tensors: IIndexTensor[] }> = [];
  for (const { entry, event_file } of step.index) {
    const tensors = (entry.tensors ?? []).filter(
      t => isScalar(t) && typeof t.offset === 'number' && !!t.dtype
    );
    if (tensors.length && (entry.size ?? 0) <= maxFileBytes) {
      out.push({ eventFile: event_file, tensors });
    }
  }
  return out;
}

/** Names of the tensors saved with numeric reductions, gradients first, then by name. */
export function reducedTensorNames(steps: Iterable<ITensorStep>): string[] {
  const names = new Set<string>();
  for (const s of steps) {
    for (const { entry } of s.index) {
      for (const t of entry.tensors ?? []) {
        const r = t.reductions ?? {};
        if (Object.values(r).some(v => reductionNumber(v) !== null)) {
          names.add(t.name);
        }
      }
    }
  }
  const rank = (n: string): number => (n.startsWith('gradients/') ? 0 : 1);
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** One tensor's reductions (norm, mean, min, max, ...) over steps, a series a reduction and mode. */
export function reductionSeries(
  steps: Iterable<ITensorStep>,
  tensor: string
): StepSeries {
  const series: StepSeries = {};
  const modes = new Set<string>();
  const found: Array<[string, string, number, number]> = [];
  for (const s of steps) {
    for (const { entry } of s.index) {
      for (const t of entry.tensors ?? []) {
        if (t.name !== tensor) {
          continue;
        }
        for (const [name, raw] of Object.entries(t.reductions ?? {})) {
          const v = reductionNumber(raw);
          if (v !== null) {
            modes.add(t.mode);
            found.push([name, t.mode, s.step, v]);
          }
        }
      }
    }
  }
  for (const [name, mode, step, v] of found) {
    add(series, modes.size > 1 ? `${name} (${mode})` : name, step, v);
  }
  return sorted(series);
}

/** uPlot's columns for series over steps: the union of steps, null where a series has none. */
export function alignSteps(series: StepSeries): {
  names: string[];
  data: [number[], ...Array<Array<number | null>>];
} {
  const names = Object.keys(series).sort((a, b) => a.localeCompare(b));
  const xs = [...new Set(names.flatMap(n => series[n].map(p => p[0])))].sort(
    (a, b) => a - b
  );
  const at = new Map(xs.map((x, i) => [x, i]));
  const ys = names.map(n => {
    const column: Array<number | null> = xs.map(() => null);
    for (const [x, v] of series[n]) {
      column[at.get(x)!] = Number.isFinite(v) ? v : null;
    }
    return column;
  });
  return { names, data: [xs, ...ys] };
}

/** Profiler samples merged by time (a sample again replaces the old one), oldest first. */
export function mergeSamples(
  known: ReadonlyArray<IProfilerSample>,
  incoming: ReadonlyArray<IProfilerSample> | null | undefined
): IProfilerSample[] {
  const byTs = new Map<number, IProfilerSample>();
  for (const s of [...known, ...(incoming ?? [])]) {
    if (s && Number.isFinite(s.ts)) {
      byTs.set(s.ts, s);
    }
  }
  return [...byTs.values()].sort((a, b) => a.ts - b.ts);
}

const MIB = 1024 * 1024;

/** uPlot's columns of the profiler charts: time (s), CPU % of all cores, memory in MiB. */
export function profilerColumns(samples: ReadonlyArray<IProfilerSample>): {
  cpu: [number[], Array<number | null>];
  memory: [number[], Array<number | null>];
} {
  const ts = samples.map(s => s.ts);
  const num = (v: number | undefined, scale = 1): number | null =>
    typeof v === 'number' && Number.isFinite(v) ? v / scale : null;
  return {
    cpu: [ts, samples.map(s => num(s.cpu_total))],
    memory: [ts, samples.map(s => num(s.memory_bytes, MIB))]
  };
}
