import {
  DeadlineKind,
  IInstanceInfo,
  IInstanceKernel,
  IInstanceRow
} from './tokens';
import { formatDuration } from './duration';
import { parseTimestamp, UNKNOWN } from './format';

const GIB = 1024 * 1024 * 1024;

/** A number with at most `digits` decimals, trailing zeros dropped. */
function trimmed(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}

/** Uptimes and countdowns, kept where the panel's other formats are. */
export { formatDuration };

/** US dollars: four decimals below $10 (a cent takes minutes), else two. */
export function formatCost(usd: number): string {
  const value = Number.isFinite(usd) ? Math.max(0, usd) : 0;
  return value < 10 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

/** An hourly price: "$0.05/h", "$0.7364/h". */
export function formatPrice(perHour: number): string {
  if (!Number.isFinite(perHour)) {
    return UNKNOWN;
  }
  return `$${trimmed(perHour, 4)}/h`;
}

/** Memory in GiB: "4 GiB", "0.5 GiB". */
export function formatMemory(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) {
    return UNKNOWN;
  }
  return `${trimmed(bytes / GIB, 1)} GiB`;
}

/** "2 vCPU · 4 GiB". */
export function formatSpec(vcpus: number, memoryBytes: number): string {
  return `${vcpus} vCPU · ${formatMemory(memoryBytes)}`;
}

/** The file name of a notebook path: "a/b/train.ipynb" -> "train.ipynb". */
export function notebookName(path: string | null | undefined): string | null {
  if (!path) {
    return null;
  }
  const parts = path.split('/').filter(part => part.length > 0);
  return parts.length > 0 ? parts[parts.length - 1] : null;
}

/** Names an instance in labels: "ml.m5.large · local". */
export function instanceLabel(row: {
  instanceType: string;
  image: string;
}): string {
  return `${row.instanceType} · ${row.image}`;
}

/** A kernel of an instance in a list: its notebook path, else its id. */
export function describeInstanceKernel(kernel: IInstanceKernel): string {
  if (kernel.path) {
    return kernel.path;
  }
  return `kernel ${kernel.id.slice(0, 8)} (no notebook)`;
}

/**
 * The server's clock at `now`, estimated from a snapshot received at
 * `receivedAt`: its `started` plus its uptime then, plus the time since.
 * This keeps countdowns right when the browser's clock differs from the
 * server's. Falls back to the browser's clock when `started` is unknown.
 */
export function serverNow(
  info: IInstanceInfo,
  receivedAt: number,
  now: number
): number {
  const started = parseTimestamp(info.started);
  const uptime = Number.isFinite(info.uptime_seconds) ? info.uptime_seconds : 0;
  const base = started === null ? receivedAt : started + uptime * 1000;
  return base + (now - receivedAt);
}

/** The nearer of the grace stop and the idle shutdown, if any. */
export function nextDeadline(
  info: IInstanceInfo
): { kind: DeadlineKind; at: number } | null {
  const candidates: Array<{ kind: DeadlineKind; at: number | null }> = [
    { kind: 'stop', at: parseTimestamp(info.stops_at) },
    { kind: 'idle', at: parseTimestamp(info.idle_shutdown_at) }
  ];
  let best: { kind: DeadlineKind; at: number } | null = null;
  for (const { kind, at } of candidates) {
    if (at !== null && (best === null || at < best.at)) {
      best = { kind, at };
    }
  }
  return best;
}

/** "stops in 45 s", "idle shutdown in 59 min 10 s", "stopping…". */
export function formatDeadline(
  kind: DeadlineKind | null,
  secondsLeft: number | null
): string {
  if (kind === null || secondsLeft === null) {
    return UNKNOWN;
  }
  if (secondsLeft <= 0) {
    return 'stopping…';
  }
  const left = formatDuration(secondsLeft);
  return kind === 'stop' ? `stops in ${left}` : `idle shutdown in ${left}`;
}

/**
 * Build the display row of an instance received at `receivedAt`, as of
 * `now` (both browser epoch ms): uptime, cost and countdown advance with the
 * browser's clock between snapshots.
 */
export function toInstanceRow(
  info: IInstanceInfo,
  receivedAt: number,
  now: number
): IInstanceRow {
  const elapsed = Math.max(0, (now - receivedAt) / 1000);
  const uptime = Math.max(
    0,
    (Number.isFinite(info.uptime_seconds) ? info.uptime_seconds : 0) + elapsed
  );
  const price = Number.isFinite(info.price_per_hour) ? info.price_per_hour : 0;
  const kernels = [...(Array.isArray(info.kernels) ? info.kernels : [])]
    .filter(kernel => kernel && typeof kernel.id === 'string')
    .sort(compareInstanceKernels);
  const deadline = nextDeadline(info);
  const secondsLeft =
    deadline === null
      ? null
      : Math.max(
          0,
          Math.ceil((deadline.at - serverNow(info, receivedAt, now)) / 1000)
        );
  const kind = deadline?.kind ?? null;
  return {
    id: info.id,
    instanceType: info.instance_type,
    image: info.image,
    runtime: info.runtime,
    state: info.state,
    specLabel: formatSpec(info.vcpus, info.memory_bytes),
    pricePerHour: price,
    kernels,
    notebooks: kernels.map(
      kernel => notebookName(kernel.path) ?? describeInstanceKernel(kernel)
    ),
    uptimeSeconds: Math.floor(uptime),
    uptimeLabel: formatDuration(uptime),
    costLabel: formatCost((Math.floor(uptime) / 3600) * price),
    deadlineKind: kind,
    secondsLeft,
    deadlineLabel: formatDeadline(kind, secondsLeft),
    limitsNotice: limitsNotice(info)
  };
}

/**
 * What the instance's row says when its type's CPU and memory limits are
 * not enforced (the server says why), or null when they are or it does not
 * say.
 */
export function limitsNotice(info: IInstanceInfo): string | null {
  if (!info.limits || info.limits.enforced !== false) {
    return null;
  }
  const problem = (info.limits.problem ?? '').trim().replace(/[.\s]+$/, '');
  return (
    'Limits not enforced' +
    (problem ? `: ${problem}.` : '.') +
    " Its kernels may use all of the host's CPU and memory."
  );
}

/** Kernels with a notebook first, by path; then by id. */
export function compareInstanceKernels(
  a: IInstanceKernel,
  b: IInstanceKernel
): number {
  if (a.path && !b.path) {
    return -1;
  }
  if (!a.path && b.path) {
    return 1;
  }
  const byPath = (a.path ?? '').localeCompare(b.path ?? '', undefined, {
    numeric: true
  });
  if (byPath !== 0) {
    return byPath;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Instances by type, then image, then id. */
export function compareInstances(a: IInstanceRow, b: IInstanceRow): number {
  const byType = a.instanceType.localeCompare(b.instanceType, undefined, {
    numeric: true
  });
  if (byType !== 0) {
    return byType;
  }
  const byImage = a.image.localeCompare(b.image);
  if (byImage !== 0) {
    return byImage;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** "1 kernel", "3 kernels". */
export function kernelCount(count: number): string {
  return count === 1 ? '1 kernel' : `${count} kernels`;
}

/** Heading of the confirmation for one instance. */
export function shutdownInstanceSummary(row: IInstanceRow): string {
  const name = instanceLabel(row);
  if (row.kernels.length === 0) {
    return `The ${name} instance runs no kernel. It stops now, and its billing with it.`;
  }
  const these =
    row.kernels.length === 1
      ? 'this kernel'
      : `these ${row.kernels.length} kernels`;
  return `Shutting down the ${name} instance stops ${these}; unsaved notebook state (variables) is lost:`;
}

/** The lines of the confirmation for several instances: one per instance. */
export function shutdownInstancesLines(
  rows: ReadonlyArray<IInstanceRow>
): string[] {
  return rows.map(row => {
    const kernels =
      row.kernels.length === 0
        ? 'no kernels'
        : `${kernelCount(row.kernels.length)}: ${row.kernels
            .map(describeInstanceKernel)
            .join(', ')}`;
    return `${instanceLabel(row)} — ${kernels}`;
  });
}

/** Heading of the "Shut down all instances" confirmation. */
export function shutdownAllInstancesSummary(
  rows: ReadonlyArray<IInstanceRow>
): string {
  const kernels = rows.reduce((sum, row) => sum + row.kernels.length, 0);
  const instances =
    rows.length === 1 ? 'This instance' : `These ${rows.length} instances`;
  return `${instances} and their ${kernelCount(kernels)} will be shut down:`;
}
