import * as React from 'react';

import { RUN_STATUSES, SOURCE_TYPES } from '../tokens';

export interface IQuickFiltersProps {
  statuses: ReadonlyArray<string>;
  sourceTypes: ReadonlyArray<string>;
  onChange: (statuses: string[], sourceTypes: string[]) => void;
}

const toggled = (list: ReadonlyArray<string>, v: string): string[] =>
  list.includes(v) ? list.filter(x => x !== v) : [...list, v];

/** Toggle buttons for a run's status and its source type (ANDed with the typed filter). */
export function QuickFilters(props: IQuickFiltersProps): JSX.Element {
  const { statuses, sourceTypes, onChange } = props;
  return (
    <div
      className="jp-AtelierExperiments-quick"
      role="toolbar"
      aria-label="Quick filters"
    >
      {RUN_STATUSES.map(s => (
        <button
          key={s}
          className="jp-AtelierExperiments-chip"
          aria-pressed={statuses.includes(s)}
          onClick={() => onChange(toggled(statuses, s), [...sourceTypes])}
        >
          {s.toLowerCase()}
        </button>
      ))}
      {SOURCE_TYPES.map(t => (
        <button
          key={t}
          className="jp-AtelierExperiments-chip jp-mod-source"
          aria-pressed={sourceTypes.includes(t)}
          onClick={() => onChange([...statuses], toggled(sourceTypes, t))}
        >
          {t === 'NOTEBOOK'
            ? 'notebook'
            : t === 'TRAINING_JOB'
              ? 'training job'
              : 'processing job'}
        </button>
      ))}
    </div>
  );
}
