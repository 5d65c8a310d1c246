import { IStatusBadge, badgeFrom } from '../components/ToneBadge';
import { formatBytes, parseTime } from '../jobs/format';
import {
  EndpointStatus,
  IEndpointInstance,
  IEndpointSummary,
  IVariantSummary
} from './tokens';

const BADGES: Record<EndpointStatus, IStatusBadge> = {
  Creating: { tone: 'running', label: 'Creating' },
  InService: { tone: 'success', label: 'InService' },
  Updating: { tone: 'running', label: 'Updating' },
  SystemUpdating: { tone: 'running', label: 'SystemUpdating' },
  RollingBack: { tone: 'warning', label: 'RollingBack' },
  Deleting: { tone: 'warning', label: 'Deleting' },
  Failed: { tone: 'error', label: 'Failed' },
  OutOfService: { tone: 'neutral', label: 'OutOfService' }
};

/** The badge of an endpoint's status; an unknown one reads as itself. */
export function endpointBadge(status: string | null | undefined): IStatusBadge {
  return badgeFrom(BADGES, status);
}

/** Statuses on the way to another (the endpoint's instances are changing). */
const MOVING: ReadonlySet<string> = new Set([
  'Creating',
  'Updating',
  'SystemUpdating',
  'RollingBack',
  'Deleting'
]);

/** True while an endpoint is being created, updated, rolled back or deleted. */
export function isTransitional(status: string | null | undefined): boolean {
  return !!status && MOVING.has(status);
}

/** Only an InService endpoint takes weight changes and updates. */
export function canInvoke(status: string | null | undefined): boolean {
  return status === 'InService';
}

/** The server answers invocations while InService and during an update or its rollback. */
export function takesInvocations(status: string | null | undefined): boolean {
  return (
    status === 'InService' || status === 'Updating' || status === 'RollingBack'
  );
}

/** Endpoints newest first, then by name. */
export function sortEndpoints(
  endpoints: ReadonlyArray<IEndpointSummary>
): IEndpointSummary[] {
  return [...endpoints].sort((a, b) => {
    const ta = parseTime(a.CreationTime) ?? 0;
    const tb = parseTime(b.CreationTime) ?? 0;
    return tb - ta || a.EndpointName.localeCompare(b.EndpointName);
  });
}

/** "2 of 3 healthy", or "no instances". */
export function instanceHealth(variant: IVariantSummary): string {
  const instances = variant.Instances ?? [];
  if (!instances.length) {
    return 'no instances';
  }
  const healthy = instances.filter(i => i.Healthy).length;
  return `${healthy} of ${instances.length} healthy`;
}

/** "current → desired" when they differ, else the one value; "—" for none. */
export function currentDesired(
  current: number | null | undefined,
  desired: number | null | undefined
): string {
  const show = (n: number | null | undefined): string =>
    n === null || n === undefined || !Number.isFinite(n)
      ? '—'
      : String(Number(n.toPrecision(4)));
  if (desired === null || desired === undefined || desired === current) {
    return show(current);
  }
  return `${show(current)} → ${show(desired)}`;
}

/** A variant's share of the traffic from the current weights, as "75%". */
export function trafficShare(
  variant: IVariantSummary,
  variants: ReadonlyArray<IVariantSummary>
): string {
  const total = variants.reduce((sum, v) => sum + (v.CurrentWeight ?? 0), 0);
  if (!(total > 0)) {
    return '—';
  }
  return `${Math.round(((variant.CurrentWeight ?? 0) / total) * 100)}%`;
}

/** Milliseconds as "42 ms", "1.25 s". */
export function formatMillis(ms: number): string {
  if (!Number.isFinite(ms)) {
    return '—';
  }
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** A percent as "12.5%" (one decimal below 10), or "—". */
export function formatPercent(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return '—';
  }
  return `${Number(value.toFixed(value < 10 ? 1 : 0))}%`;
}

/** An instance's latest usage: "CPU 12.5% · memory 34% (210 MiB)", or null before a sample. */
export function instanceUsage(instance: IEndpointInstance): string | null {
  const cpu = instance.CPUUtilization;
  const memory = instance.MemoryUtilization;
  const used = instance.MemoryUsedBytes;
  const known = (v: unknown): boolean =>
    typeof v === 'number' && Number.isFinite(v);
  if (!known(cpu) && !known(memory) && !known(used)) {
    return null;
  }
  const mem = known(used)
    ? `${formatPercent(memory)} (${formatBytes(used)})`
    : formatPercent(memory);
  return `CPU ${formatPercent(cpu)} · memory ${mem}`;
}
