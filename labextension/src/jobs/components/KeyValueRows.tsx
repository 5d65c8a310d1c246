import * as React from 'react';

import { IKeyValueRow } from '../formRules';
import { FieldError } from './FieldError';
import { RemoveRowButton } from './RemoveRowButton';

export interface IKeyValueRowsProps {
  /** Section title, e.g. "Hyperparameters". */
  title: string;
  /** Base of the rows' data-testid, e.g. "job-form-hp". */
  testId: string;
  keyLabel: string;
  valueLabel: string;
  rows: ReadonlyArray<IKeyValueRow>;
  /** Messages of row i (empty when fine). */
  rowErrors: (index: number) => string[];
  /** Messages of the whole section. */
  errors: ReadonlyArray<string>;
  onChange: (rows: IKeyValueRow[]) => void;
}

/** Editable key/value rows with add and remove buttons. */
export function KeyValueRows(props: IKeyValueRowsProps): JSX.Element {
  const {
    title,
    testId,
    keyLabel,
    valueLabel,
    rows,
    rowErrors,
    errors,
    onChange
  } = props;
  const set = (index: number, change: Partial<IKeyValueRow>): void =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  return (
    <fieldset className="jp-AtelierJobs-fieldset" data-testid={testId}>
      <legend>{title}</legend>
      {rows.map((row, i) => (
        <div className="jp-AtelierJobs-kvRow" key={i}>
          <input
            className="jp-AtelierJobs-input"
            data-testid={`${testId}-key-${i}`}
            aria-label={`${keyLabel} ${i + 1}`}
            placeholder={keyLabel}
            value={row.key}
            onChange={event => set(i, { key: event.target.value })}
          />
          <input
            className="jp-AtelierJobs-input jp-AtelierJobs-grow"
            data-testid={`${testId}-value-${i}`}
            aria-label={`${valueLabel} ${i + 1}`}
            placeholder={valueLabel}
            value={row.value}
            onChange={event => set(i, { value: event.target.value })}
          />
          <RemoveRowButton
            label={`Remove ${title.toLowerCase()} row ${i + 1}`}
            rows={rows}
            index={i}
            onChange={onChange}
          />
          <FieldError messages={rowErrors(i)} />
        </div>
      ))}
      <button
        type="button"
        className="jp-AtelierJobs-button"
        data-testid={`${testId}-add`}
        aria-label={`Add ${title.toLowerCase()} row`}
        title={`Add a row to ${title.toLowerCase()}`}
        onClick={() => onChange([...rows, { key: '', value: '' }])}
      >
        Add
      </button>
      <FieldError messages={errors} />
    </fieldset>
  );
}
