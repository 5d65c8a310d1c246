import { useVirtualizer } from '@tanstack/react-virtual';
import * as React from 'react';

import { ExperimentsModel } from '../model';
import { IColumn, cellValue, formatCell } from '../table';

const ROW_HEIGHT = 24;

export interface IRunsTableProps {
  model: ExperimentsModel;
  onOpen: (runId: string) => void;
}

function width(column: IColumn): number {
  return column.id === 'name'
    ? 160
    : column.id === 'source'
      ? 150
      : column.id === 'start'
        ? 140
        : 90;
}

/**
 * The runs, virtualized: only the rows in view (and a few more) are in the
 * DOM, so 25,000 runs scroll as 30 do. Click sorts a header; click, ctrl-
 * and shift-click select rows; double-click opens a run.
 */
export function RunsTable(props: IRunsTableProps): JSX.Element {
  const { model, onOpen } = props;
  const rows = model.rows;
  const columns = model.columns;
  const scroller = React.useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12
  });
  const total = columns.reduce((s, c) => s + width(c), 28);
  const now = Date.now();
  const template = `28px ${columns.map(c => `${width(c)}px`).join(' ')}`;
  const sort = model.sort;

  return (
    <div
      className="jp-AtelierExperiments-table"
      ref={scroller}
      role="grid"
      aria-label="Runs"
      aria-rowcount={rows.length + 1}
      data-testid="experiments-runs"
    >
      <div style={{ width: total, minWidth: '100%' }}>
        <div
          className="jp-AtelierExperiments-headerRow"
          role="row"
          style={{ gridTemplateColumns: template }}
        >
          <span role="columnheader" aria-label="Selected" />
          {columns.map(c => (
            <span
              key={c.id}
              role="columnheader"
              className={`jp-AtelierExperiments-th jp-mod-${c.kind}`}
              aria-sort={
                sort?.column === c.id
                  ? sort.descending
                    ? 'descending'
                    : 'ascending'
                  : 'none'
              }
              title={`${c.kind === 'attribute' ? '' : c.kind + ' '}${c.label}: click to sort`}
              onClick={() => model.setSort(c.id)}
              data-testid={`experiments-sort-${c.id}`}
            >
              {c.label}
              {sort?.column === c.id ? (sort.descending ? ' ▼' : ' ▲') : ''}
            </span>
          ))}
        </div>
        <div
          style={{ height: virtualizer.getTotalSize(), position: 'relative' }}
        >
          {virtualizer.getVirtualItems().map(item => {
            const row = rows[item.index];
            const selected = model.selection.has(row.id);
            return (
              <div
                key={row.id}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={selected}
                data-run-id={row.id}
                className={`jp-AtelierExperiments-row${selected ? ' jp-mod-selected' : ''}`}
                style={{
                  gridTemplateColumns: template,
                  transform: `translateY(${item.start}px)`,
                  height: ROW_HEIGHT
                }}
                onClick={e =>
                  model.select(
                    row.id,
                    e.shiftKey
                      ? 'range'
                      : e.ctrlKey || e.metaKey
                        ? 'toggle'
                        : 'only'
                  )
                }
                onDoubleClick={() => onOpen(row.id)}
              >
                <span role="gridcell">
                  <input
                    type="checkbox"
                    aria-label={`Select ${row.name}`}
                    checked={selected}
                    onClick={e => e.stopPropagation()}
                    onChange={() => model.select(row.id, 'toggle')}
                  />
                </span>
                {columns.map(c => {
                  const text = formatCell(c.id, cellValue(row, c.id, now));
                  return (
                    <span
                      key={c.id}
                      role="gridcell"
                      title={text}
                      className={`${c.numeric ? 'jp-mod-numeric' : ''}${
                        c.id === 'status'
                          ? ` jp-AtelierExperiments-status jp-mod-${row.status}`
                          : ''
                      }`}
                    >
                      {text}
                    </span>
                  );
                })}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
