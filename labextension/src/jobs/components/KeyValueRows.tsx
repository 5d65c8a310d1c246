import * as React from 'react';

import { IKeyValueRow } from '../formRules';
import { IHyperParameterSpec } from '../imageOffers';
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
  /** Known keys (offered as suggestions) and what each one takes. */
  known?: ReadonlyArray<IHyperParameterSpec>;
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
    onChange,
    known = []
  } = props;
  const spec = (key: string): IHyperParameterSpec | undefined =>
    known.find(k => k.name === key.trim());
  const set = (index: number, change: Partial<IKeyValueRow>): void =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  return (
    <fieldset className="jp-AtelierJobs-fieldset" data-testid={testId}>
      <legend>{title}</legend>
      {known.length > 0 && (
        <datalist id={`${testId}-keys`} data-testid={`${testId}-keys`}>
          {known.map(k => (
            <option key={k.name} value={k.name} />
          ))}
        </datalist>
      )}
      {rows.map((row, i) => (
        <div className="jp-AtelierJobs-kvRow" key={i}>
          <input
            className="jp-AtelierJobs-input"
            list={known.length > 0 ? `${testId}-keys` : undefined}
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
          <ValueChoices
            testId={`${testId}-choice-${i}`}
            spec={spec(row.key)}
            value={row.value}
            onChange={value => set(i, { value })}
          />
          <RemoveRowButton
            label={`Remove ${title.toLowerCase()} row ${i + 1}`}
            rows={rows}
            index={i}
            onChange={onChange}
          />
          {spec(row.key) && (
            <span
              className="jp-AtelierJobs-hint jp-AtelierJobs-rowHint"
              data-testid={`${testId}-hint-${i}`}
            >
              {spec(row.key)?.hint}
            </span>
          )}
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

/** The allowed values of a row's key, when they are a list: picks one. */
function ValueChoices(props: {
  testId: string;
  spec: IHyperParameterSpec | undefined;
  value: string;
  onChange: (value: string) => void;
}): JSX.Element | null {
  const { spec, value } = props;
  const choices = spec?.choices ?? spec?.suggestions;
  if (!spec || !choices) {
    return null;
  }
  const listed = choices.includes(value.trim());
  return (
    <select
      className="jp-AtelierJobs-select"
      data-testid={props.testId}
      aria-label={`Choices for ${spec.name}`}
      value={listed ? value.trim() : ''}
      onChange={event =>
        event.target.value && props.onChange(event.target.value)
      }
    >
      <option value="">{listed ? 'Other' : 'Choose…'}</option>
      {choices.map(choice => (
        <option key={choice} value={choice}>
          {choice}
        </option>
      ))}
    </select>
  );
}
