import * as React from 'react';

import { IColumn } from '../table';

export interface IColumnChooserProps {
  columns: ReadonlyArray<IColumn>;
  shown: ReadonlyArray<string>;
  onToggle: (id: string) => void;
}

const KINDS: Array<[IColumn['kind'], string]> = [
  ['metric', 'Metrics (latest)'],
  ['param', 'Parameters'],
  ['tag', 'Tags']
];

/** Checkboxes over the runs' metrics, params and tags, with a search box. */
export function ColumnChooser(props: IColumnChooserProps): JSX.Element {
  const [query, setQuery] = React.useState('');
  const q = query.trim().toLowerCase();
  return (
    <div
      className="jp-AtelierExperiments-columns"
      role="group"
      aria-label="Columns"
      data-testid="experiments-columns"
    >
      <input
        type="search"
        className="jp-mod-styled"
        aria-label="Find a column"
        placeholder="Find a column"
        value={query}
        onChange={e => setQuery(e.target.value)}
      />
      {KINDS.map(([kind, title]) => {
        const list = props.columns.filter(
          c => c.kind === kind && (!q || c.label.toLowerCase().includes(q))
        );
        if (!list.length) {
          return null;
        }
        return (
          <fieldset key={kind}>
            <legend>{title}</legend>
            {list.map(c => (
              <label key={c.id}>
                <input
                  type="checkbox"
                  checked={props.shown.includes(c.id)}
                  onChange={() => props.onToggle(c.id)}
                />
                {c.label}
              </label>
            ))}
          </fieldset>
        );
      })}
    </div>
  );
}
