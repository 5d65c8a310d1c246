import * as React from 'react';

import { ArtifactBrowser } from './ArtifactBrowser';
import { RunMetricChart } from './MetricChart';
import { RunDetailModel } from './model';
import { SUMMARY_COLUMNS, SummaryCells } from './SummaryCells';
import { RunSource, runSource } from './source';

export interface IRunDetailViewProps {
  model: RunDetailModel;
  /** Open where the run came from: its job, or its notebook. */
  onOpenSource: (source: RunSource) => void;
}

const time = (ms: number | undefined): string =>
  ms ? new Date(ms).toLocaleString() : '—';

function duration(start?: number, end?: number): string {
  if (!start) {
    return '—';
  }
  const s = Math.max(0, Math.round(((end || Date.now()) - start) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h} h ${m} min` : m ? `${m} min ${s % 60} s` : `${s} s`;
}

function Pairs(props: {
  label: string;
  pairs: Array<[string, string]>;
}): JSX.Element {
  return (
    <section className="jp-AtelierRunDetail-section" aria-label={props.label}>
      <h3>{props.label}</h3>
      {props.pairs.length === 0 ? (
        <div className="jp-AtelierRunDetail-empty">None.</div>
      ) : (
        <table className="jp-AtelierRunDetail-table">
          <tbody>
            {props.pairs.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function SourceLink(props: {
  source: RunSource | null;
  onOpen: (source: RunSource) => void;
}): JSX.Element {
  const { source, onOpen } = props;
  if (!source) {
    return <>—</>;
  }
  if (source.kind === 'other') {
    return <>{`${source.type} ${source.name}`.trim()}</>;
  }
  const label =
    source.kind === 'job'
      ? `${source.jobKind === 'training' ? 'Training' : 'Processing'} job ${source.name}`
      : `Notebook ${source.path}`;
  return (
    <button
      className="jp-AtelierRunDetail-link"
      data-testid="run-source"
      onClick={() => onOpen(source)}
    >
      {label}
    </button>
  );
}

/** A run: status and times, source, metric summaries and charts, params, tags, artifacts. */
export function RunDetailView(props: IRunDetailViewProps): JSX.Element {
  const { model } = props;
  const run = model.run;
  if (!run) {
    return (
      <div className="jp-AtelierRunDetail" data-testid="run-detail">
        {model.error ? (
          <div className="jp-AtelierRunDetail-error" role="alert">
            {model.error}
          </div>
        ) : (
          <div>Loading run…</div>
        )}
      </div>
    );
  }
  const tags: Record<string, string> = {};
  for (const t of run.data?.tags ?? []) {
    tags[t.key] = t.value;
  }
  const info = run.info;
  const keys = model.metricKeys;
  return (
    <div
      className="jp-AtelierRunDetail"
      data-testid="run-detail"
      data-run-id={info.run_id}
    >
      <header className="jp-AtelierRunDetail-header">
        <h2>{info.run_name || info.run_id}</h2>
        <span
          className={`jp-AtelierRunDetail-status jp-mod-${info.status.toLowerCase()}`}
          data-testid="run-status"
        >
          {info.status}
        </span>
      </header>
      <dl className="jp-AtelierRunDetail-facts">
        <dt>Run id</dt>
        <dd>{info.run_id}</dd>
        <dt>Started</dt>
        <dd>{time(info.start_time)}</dd>
        <dt>Ended</dt>
        <dd>{time(info.end_time)}</dd>
        <dt>Duration</dt>
        <dd>{duration(info.start_time, info.end_time)}</dd>
        <dt>Owner</dt>
        <dd>{info.user_id || '—'}</dd>
        <dt>Source</dt>
        <dd>
          <SourceLink source={runSource(tags)} onOpen={props.onOpenSource} />
        </dd>
      </dl>
      {model.error && (
        <div className="jp-AtelierRunDetail-error" role="alert">
          {model.error}
        </div>
      )}
      <section className="jp-AtelierRunDetail-section" aria-label="Metrics">
        <h3>Metrics</h3>
        {keys.length === 0 ? (
          <div className="jp-AtelierRunDetail-empty">None.</div>
        ) : (
          <table
            className="jp-AtelierRunDetail-table"
            data-testid="run-metric-summaries"
          >
            <thead>
              <tr>
                {['Metric', ...SUMMARY_COLUMNS].map(h => (
                  <th key={h} scope="col">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {keys.map(key => (
                <tr key={key} data-metric={key}>
                  <th scope="row">{key}</th>
                  <SummaryCells summary={model.summary(key)} />
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div className="jp-AtelierRunDetail-charts">
          {keys.map(key => (
            <RunMetricChart
              key={key}
              metric={key}
              history={model.histories.get(key) ?? []}
            />
          ))}
        </div>
      </section>
      <Pairs
        label="Parameters"
        pairs={(run.data?.params ?? []).map(p => [p.key, p.value])}
      />
      <Pairs
        label="Tags"
        pairs={Object.entries(tags).sort((a, b) => a[0].localeCompare(b[0]))}
      />
      <section className="jp-AtelierRunDetail-section" aria-label="Artifacts">
        <h3>Artifacts</h3>
        <ArtifactBrowser
          client={model.client}
          experimentId={info.experiment_id}
          runId={info.run_id}
        />
      </section>
    </div>
  );
}
