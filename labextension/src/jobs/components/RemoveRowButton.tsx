import * as React from 'react';

/** The ✕ button that removes row `index` of a form's rows. */
export function RemoveRowButton<T>(props: {
  /** What a screen reader says, e.g. "Remove input 2". */
  label: string;
  rows: ReadonlyArray<T>;
  index: number;
  onChange: (rows: T[]) => void;
}): JSX.Element {
  const { rows, index, onChange } = props;
  return (
    <button
      type="button"
      className="jp-AtelierJobs-button"
      aria-label={props.label}
      title="Remove"
      onClick={() => onChange(rows.filter((_, j) => j !== index))}
    >
      ✕
    </button>
  );
}
