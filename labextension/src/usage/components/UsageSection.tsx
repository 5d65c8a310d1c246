import * as React from 'react';

import { messageOf } from '../../messages';
import { SectionHeader } from '../../running/components/SectionHeader';
import { IUsageApi } from '../api';
import {
  DEFAULT_USAGE_PERIOD,
  isUsagePeriod,
  periodRange,
  USAGE_PERIODS,
  UsagePeriod
} from '../period';
import {
  IMeteredInstance,
  IUsageTable,
  liveUsageTable,
  toUsageTable
} from '../usageFormat';
import { UsageTable } from './UsageTable';

export interface IUsageSectionProps {
  api: Pick<IUsageApi, 'fetchUsage'>;
  /** Changes when instances start or stop: the usage is fetched again. */
  instancesKey: string;
  /** The instances the meter counts now: their time moves on between answers. */
  running?: ReadonlyArray<IMeteredInstance>;
  /** The browser's clock (tests pass a fixed one). */
  now?: () => Date;
}

/** How often the usage of running instances moves on, in ms. */
export const USAGE_TICK_MS = 1000;

const NOBODY: ReadonlyArray<IMeteredInstance> = [];

const systemNow = (): Date => new Date();

/**
 * The "Usage" section: a period picker and the instance hours and cost per
 * type within it, with the total. Fetched again when the period changes,
 * when instances start or stop, and on "Refresh usage"; in between, the time
 * and cost of the instances that run move on every second (as the server's
 * meter counts them: from its answer, at each type's price).
 */
export function UsageSection(props: IUsageSectionProps): JSX.Element {
  const { api, instancesKey } = props;
  const now = props.now ?? systemNow;
  const [period, setPeriod] = React.useState<UsagePeriod>(DEFAULT_USAGE_PERIOD);
  const [table, setTable] = React.useState<IUsageTable | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [loading, setLoading] = React.useState(false);
  const [reloads, setReloads] = React.useState(0);
  // The browser's time of the latest answer, and of the latest tick.
  const [answeredAt, setAnsweredAt] = React.useState(0);
  const [tickAt, setTickAt] = React.useState(0);
  const running = props.running ?? NOBODY;

  React.useEffect(() => {
    // Only the latest request may update the view.
    let current = true;
    setLoading(true);
    api
      .fetchUsage(periodRange(period, now()))
      .then(
        response => {
          if (current) {
            const at = now().getTime();
            setTable(toUsageTable(response));
            setAnsweredAt(at);
            setTickAt(at);
            setError(null);
          }
        },
        reason => {
          if (current) {
            setError(`Could not load the usage: ${messageOf(reason)}`);
          }
        }
      )
      .finally(() => {
        if (current) {
          setLoading(false);
        }
      });
    return () => {
      current = false;
    };
  }, [api, period, instancesKey, reloads]);

  const live = running.length > 0 && table !== null;
  React.useEffect(() => {
    if (!live) {
      return;
    }
    const timer = setInterval(() => setTickAt(now().getTime()), USAGE_TICK_MS);
    return () => clearInterval(timer);
  }, [live]);
  const shown =
    table === null
      ? null
      : liveUsageTable(table, running, (tickAt - answeredAt) / 1000);

  const label = USAGE_PERIODS.find(p => p.value === period)?.label ?? '';
  return (
    <section
      className="jp-AtelierRunning-section jp-AtelierUsage"
      aria-labelledby="atelier-usage-title"
      aria-busy={loading}
    >
      <SectionHeader
        id="atelier-usage-title"
        title="Usage"
        count={shown?.rows.length ?? 0}
        countLabel="Instance type count"
        actionsLabel="Usage actions"
      >
        <select
          className="jp-AtelierUsage-period"
          aria-label="Usage period"
          value={period}
          onChange={event => {
            if (isUsagePeriod(event.target.value)) {
              setPeriod(event.target.value);
            }
          }}
        >
          {USAGE_PERIODS.map(p => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="jp-AtelierRunning-button"
          aria-label="Refresh usage"
          title="Fetch the usage again"
          disabled={loading}
          onClick={() => setReloads(n => n + 1)}
        >
          Refresh
        </button>
      </SectionHeader>
      {error && (
        <p className="jp-AtelierRunning-feedError" role="alert">
          {error}
        </p>
      )}
      {shown === null ? (
        <p className="jp-AtelierRunning-empty">
          {error ? 'No usage to show.' : 'Loading usage…'}
        </p>
      ) : shown.rows.length === 0 ? (
        <p className="jp-AtelierRunning-empty">
          No instance ran in this period ({label.toLowerCase()}).
        </p>
      ) : (
        <UsageTable
          table={shown}
          caption={live ? `${label} · live` : label}
          live={live}
        />
      )}
    </section>
  );
}
