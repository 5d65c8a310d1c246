import * as React from 'react';

import { ExperimentsModel } from '../model';
import { IRunRow, toCsv } from '../table';
import { ColumnChooser } from './ColumnChooser';
import { FilterBar } from './FilterBar';
import { QuickFilters } from './QuickFilters';
import { RunsTable } from './RunsTable';

export interface IExperimentsViewProps {
  model: ExperimentsModel;
  onOpenRun: (runId: string) => void;
  onCompare?: (runs: IRunRow[]) => void;
  onRefresh: () => void;
}

/** Download `text` as a file of the browser. */
function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The panel: experiments with run counts, then the runs of the chosen one. */
export function ExperimentsView(props: IExperimentsViewProps): JSX.Element {
  const { model } = props;
  const [chooser, setChooser] = React.useState(false);
  const experiment = model.experiments.find(
    e => e.experiment_id === model.experimentId
  );
  const apply = (): void => void model.loadRuns();
  return (
    <div className="jp-AtelierExperiments-view">
      <ul
        className="jp-AtelierExperiments-list"
        role="listbox"
        aria-label="Experiments"
      >
        {model.experiments.map(e => {
          const count = model.counts.get(e.experiment_id);
          return (
            <li
              key={e.experiment_id}
              role="option"
              aria-selected={e.experiment_id === model.experimentId}
              onClick={() => void model.selectExperiment(e.experiment_id)}
              data-experiment-id={e.experiment_id}
            >
              <span className="jp-AtelierExperiments-name">{e.name}</span>
              <span className="jp-AtelierExperiments-count" aria-label="Runs">
                {count === undefined ? '' : count.toLocaleString('en-US')}
              </span>
            </li>
          );
        })}
        {!model.experiments.length && (
          <li className="jp-AtelierExperiments-empty">No experiments yet.</li>
        )}
      </ul>
      <FilterBar
        value={model.typedFilter}
        error={model.error}
        onApply={text => {
          model.typedFilter = text;
          apply();
        }}
      />
      <QuickFilters
        statuses={model.statuses}
        sourceTypes={model.sourceTypes}
        onChange={(statuses, sourceTypes) => {
          model.statuses = statuses;
          model.sourceTypes = sourceTypes;
          apply();
        }}
      />
      <div className="jp-AtelierExperiments-toolbar">
        <button
          className="jp-mod-styled"
          aria-expanded={chooser}
          onClick={() => setChooser(!chooser)}
        >
          Columns
        </button>
        <button
          className="jp-mod-styled"
          disabled={!model.total}
          onClick={() =>
            download(
              `${experiment?.name ?? 'runs'}.csv`,
              toCsv(model.rows, model.columns, Date.now())
            )
          }
        >
          Export CSV
        </button>
        <button className="jp-mod-styled" onClick={props.onRefresh}>
          Refresh
        </button>
        {props.onCompare && model.selection.size > 1 && (
          <button
            className="jp-mod-styled"
            onClick={() => props.onCompare?.(model.selectedRows)}
          >
            Compare {model.selection.size}
          </button>
        )}
        {model.selection.size > 0 && (
          <button
            className="jp-mod-styled"
            onClick={() => model.clearSelection()}
          >
            Clear {model.selection.size} selected
          </button>
        )}
      </div>
      {chooser && (
        <ColumnChooser
          columns={model.keyColumns}
          shown={model.shownKeys}
          onToggle={id => model.toggleKey(id)}
        />
      )}
      <RunsTable model={model} onOpen={props.onOpenRun} />
      <div
        className="jp-AtelierExperiments-status"
        role="status"
        data-testid="experiments-status"
      >
        {model.loading
          ? 'Loading runs…'
          : `${model.total.toLocaleString('en-US')} runs` +
            (model.complete ? '' : ' so far, loading…') +
            (model.selection.size ? `, ${model.selection.size} selected` : '')}
      </div>
    </div>
  );
}
