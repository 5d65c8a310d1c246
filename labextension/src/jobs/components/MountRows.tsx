import * as React from 'react';

import { IMountRow, PROCESSING_ROOT } from '../processingForm';
import { FieldError } from './FieldError';
import { RemoveRowButton } from './RemoveRowButton';

export interface IMountRowsProps {
  kind: 'input' | 'output';
  /** Base of the rows' data-testid, e.g. "processing-form-input". */
  testId: string;
  rows: ReadonlyArray<IMountRow>;
  /** The S3 URI an output row with no URI of its own goes to. */
  defaultUri?: (row: IMountRow) => string;
  /** Messages of row i (empty when fine). */
  rowErrors: (index: number) => string[];
  /** Messages of the whole section. */
  errors: ReadonlyArray<string>;
  onChange: (rows: IMountRow[]) => void;
}

/** Editable processing inputs or outputs: name, S3 URI, container folder. */
export function MountRows(props: IMountRowsProps): JSX.Element {
  const { kind, testId, rows, rowErrors, errors, onChange } = props;
  const title = kind === 'input' ? 'Inputs' : 'Outputs';
  const set = (index: number, change: Partial<IMountRow>): void =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  return (
    <fieldset className="jp-AtelierJobs-fieldset" data-testid={testId}>
      <legend>{title}</legend>
      <p className="jp-AtelierJobs-hint">
        {kind === 'input'
          ? `Staged from S3 before the command runs, to ${PROCESSING_ROOT}input/<name> unless you give a folder.`
          : `Uploaded to S3 when the command ends, from ${PROCESSING_ROOT}output/<name> unless you give a folder.`}
      </p>
      {rows.map((row, i) => {
        const name = row.name.trim() || '<name>';
        const uriPlaceholder =
          kind === 'input'
            ? 's3://bucket/data/raw/'
            : (props.defaultUri?.(row) ?? '') || 's3://bucket/results/';
        return (
          <div className="jp-AtelierJobs-kvRow" key={i}>
            <input
              className="jp-AtelierJobs-input"
              data-testid={`${testId}-name-${i}`}
              aria-label={`${kind} ${i + 1} name`}
              placeholder="Name"
              value={row.name}
              onChange={event => set(i, { name: event.target.value })}
            />
            <input
              className="jp-AtelierJobs-input jp-AtelierJobs-grow"
              data-testid={`${testId}-uri-${i}`}
              aria-label={`${kind} ${i + 1} S3 URI`}
              placeholder={uriPlaceholder}
              value={row.uri}
              onChange={event => set(i, { uri: event.target.value })}
            />
            <input
              className="jp-AtelierJobs-input jp-AtelierJobs-grow"
              data-testid={`${testId}-path-${i}`}
              aria-label={`${kind} ${i + 1} folder in the container`}
              placeholder={`${PROCESSING_ROOT}${kind}/${name}`}
              value={row.localPath}
              onChange={event => set(i, { localPath: event.target.value })}
            />
            <RemoveRowButton
              label={`Remove ${kind} ${i + 1}`}
              rows={rows}
              index={i}
              onChange={onChange}
            />
            <FieldError messages={rowErrors(i)} />
          </div>
        );
      })}
      <button
        type="button"
        className="jp-AtelierJobs-button"
        data-testid={`${testId}-add`}
        aria-label={`Add an ${kind}`}
        title={`Add an ${kind}`}
        onClick={() =>
          onChange([
            ...rows,
            {
              name: `${kind === 'input' ? 'data' : 'output'}${rows.length ? rows.length + 1 : ''}`,
              uri: '',
              localPath: ''
            }
          ])
        }
      >
        Add
      </button>
      <FieldError messages={errors} />
    </fieldset>
  );
}
