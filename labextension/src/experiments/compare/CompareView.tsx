import * as React from 'react';

import { SUMMARY_COLUMNS, SummaryCells } from '../detail/SummaryCells';
import { FieldId, fieldLabel } from './axes';
import { CompareModel } from './model';
import { OverlayChart } from './OverlayChart';
import { ParallelChart } from './ParallelChart';
import { ScatterChart } from './ScatterChart';

function FieldSelect(props: {
  label: string;
  value: FieldId;
  options: FieldId[];
  onChange: (value: FieldId) => void;
}): JSX.Element {
  return (
    <label className="jp-AtelierCompare-pick">
      {props.label}{' '}
      <select
        className="jp-mod-styled"
        value={props.value}
        onChange={e => props.onChange(e.target.value)}
        aria-label={props.label}
      >
        {props.options.map(f => (
          <option key={f} value={f}>
            {f.startsWith('param:') ? `param ${fieldLabel(f)}` : fieldLabel(f)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The compared runs: one metric's histories overlaid, a scatter, parallel coordinates. */
export function CompareView(props: { model: CompareModel }): JSX.Element {
  const { model } = props;
  const { params, metrics } = model.fields;
  const parallelParams = model.parallel.filter(f => f.startsWith('param:'));
  const parallelMetric =
    model.parallel.find(f => f.startsWith('metric:')) ?? metrics[0] ?? '';
  const setParallel = (chosen: FieldId[], metric: FieldId): void =>
    model.set({ parallel: [...chosen, ...(metric ? [metric] : [])] });
  return (
    <div
      className="jp-AtelierCompare"
      data-testid="compare-view"
      data-load-ms={Math.round(model.loadMs)}
    >
      <header className="jp-AtelierCompare-header">
        <h2>Compare {model.runs.length} runs</h2>
        {model.loading && <span role="status">Loading histories…</span>}
      </header>
      {model.error && (
        <div className="jp-AtelierRunDetail-error" role="alert">
          {model.error}
        </div>
      )}
      <section
        className="jp-AtelierRunDetail-section"
        aria-label="Metric histories"
      >
        <h3>Histories</h3>
        {metrics.length === 0 ? (
          <div className="jp-AtelierRunDetail-empty">
            The runs have no metrics.
          </div>
        ) : (
          <>
            <FieldSelect
              label="Metric"
              value={`metric:${model.metric}`}
              options={metrics}
              onChange={f => model.setMetric(fieldLabel(f))}
            />
            {!model.loading && (
              <OverlayChart
                metric={model.metric}
                runs={model.runs}
                histories={model.histories}
                version={model.version}
              />
            )}
            <table
              className="jp-AtelierRunDetail-table"
              data-testid="compare-metric-summaries"
              aria-label={`Summaries of ${model.metric}`}
            >
              <thead>
                <tr>
                  {['Run', ...SUMMARY_COLUMNS].map(h => (
                    <th key={h} scope="col">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {model.runs.map(run => (
                  <tr key={run.id} data-run={run.id}>
                    <th scope="row">{run.name}</th>
                    <SummaryCells summary={model.summaries.get(run.id)} />
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
      <section className="jp-AtelierRunDetail-section" aria-label="Scatter">
        <h3>Scatter</h3>
        {metrics.length === 0 ? (
          <div className="jp-AtelierRunDetail-empty">
            The runs have no metrics.
          </div>
        ) : (
          <>
            <FieldSelect
              label="X"
              value={model.scatterX}
              options={[...params, ...metrics]}
              onChange={f => model.set({ scatterX: f })}
            />
            <FieldSelect
              label="Y"
              value={model.scatterY}
              options={metrics}
              onChange={f => model.set({ scatterY: f })}
            />
            <ScatterChart
              runs={model.runs}
              xField={model.scatterX}
              yField={model.scatterY}
            />
          </>
        )}
      </section>
      <section
        className="jp-AtelierRunDetail-section"
        aria-label="Parallel coordinates"
      >
        <h3>Parallel coordinates</h3>
        <div
          className="jp-AtelierCompare-fields"
          role="group"
          aria-label="Parallel axes"
        >
          {params.map(f => (
            <label key={f}>
              <input
                type="checkbox"
                checked={parallelParams.includes(f)}
                onChange={e =>
                  setParallel(
                    e.target.checked
                      ? params.filter(
                          p => p === f || parallelParams.includes(p)
                        )
                      : parallelParams.filter(p => p !== f),
                    parallelMetric
                  )
                }
              />
              {fieldLabel(f)}
            </label>
          ))}
          {metrics.length > 0 && (
            <FieldSelect
              label="Colour by"
              value={parallelMetric}
              options={metrics}
              onChange={f => setParallel(parallelParams, f)}
            />
          )}
        </div>
        {model.parallel.length > 0 ? (
          <ParallelChart runs={model.runs} fields={model.parallel} />
        ) : (
          <div className="jp-AtelierRunDetail-empty">Choose the axes.</div>
        )}
      </section>
    </div>
  );
}
