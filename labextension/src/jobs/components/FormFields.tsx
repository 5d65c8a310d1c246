import * as React from 'react';

import { IKeyValueRow } from '../formRules';
import { IImageInfo, IInstanceType } from '../../instance/tokens';
import { FieldError } from './FieldError';
import { KeyValueRows } from './KeyValueRows';

/** A labelled field with its error next to it. */
export function Field(props: {
  label: string;
  htmlFor: string;
  errors: ReadonlyArray<string>;
  hint?: string;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <div className="jp-AtelierJobs-field">
      <label htmlFor={props.htmlFor}>{props.label}</label>
      {props.children}
      {props.hint && <span className="jp-AtelierJobs-hint">{props.hint}</span>}
      <FieldError messages={props.errors} />
    </div>
  );
}

/** A labelled text input with its hint and the server's errors for it. */
export function TextField(props: {
  label: string;
  id: string;
  testId: string;
  errors: ReadonlyArray<string>;
  hint?: string;
  placeholder?: string;
  inputMode?: 'numeric';
  value: string;
  onChange: (value: string) => void;
}): JSX.Element {
  return (
    <Field
      label={props.label}
      htmlFor={props.id}
      errors={props.errors}
      hint={props.hint}
    >
      <input
        id={props.id}
        className="jp-AtelierJobs-input"
        data-testid={props.testId}
        placeholder={props.placeholder}
        inputMode={props.inputMode}
        value={props.value}
        onChange={event => props.onChange(event.target.value)}
      />
    </Field>
  );
}

/** The image of a job: pick a known Docker image or type any name. */
export function ImageField(props: {
  id: string;
  /** Base of the data-testids: `<testId>` and `<testId>-select`. */
  testId: string;
  images: ReadonlyArray<IImageInfo>;
  errors: ReadonlyArray<string>;
  value: string;
  onChange: (image: string) => void;
}): JSX.Element {
  const { images, value, onChange } = props;
  const listed = images.some(i => i.name === value);
  return (
    <Field
      label="Image"
      htmlFor={props.id}
      errors={props.errors}
      hint="A Docker image; pick one or type any name"
    >
      <div className="jp-AtelierJobs-kvRow">
        <select
          className="jp-AtelierJobs-select"
          data-testid={`${props.testId}-select`}
          aria-label="Known images"
          value={listed ? value : ''}
          onChange={event => event.target.value && onChange(event.target.value)}
        >
          <option value="">
            {images.length ? 'Other (type it)' : 'No Docker images found'}
          </option>
          {images.map(image => (
            <option key={image.name} value={image.name}>
              {image.display_name || image.name}
            </option>
          ))}
        </select>
        <input
          id={props.id}
          className="jp-AtelierJobs-input jp-AtelierJobs-grow"
          data-testid={props.testId}
          placeholder="atelier/sklearn:latest"
          value={value}
          onChange={event => onChange(event.target.value)}
        />
      </div>
    </Field>
  );
}

/** The instance type of a job; types that cannot run here say why. */
export function InstanceTypeField(props: {
  id: string;
  testId: string;
  types: ReadonlyArray<IInstanceType>;
  errors: ReadonlyArray<string>;
  value: string;
  onChange: (type: string) => void;
}): JSX.Element {
  const { types, value } = props;
  const selected = types.find(t => t.name === value);
  return (
    <Field
      label="Instance type"
      htmlFor={props.id}
      errors={props.errors}
      hint={selected?.description ?? undefined}
    >
      <select
        id={props.id}
        className="jp-AtelierJobs-select"
        data-testid={props.testId}
        value={value}
        onChange={event => props.onChange(event.target.value)}
      >
        {!selected && <option value={value}>{value || 'Choose…'}</option>}
        {types.map(type => (
          <option
            key={type.name}
            value={type.name}
            disabled={!type.available}
            title={
              type.available
                ? undefined
                : (type.unavailable_reason ?? 'unavailable')
            }
          >
            {type.name} ({type.vcpus} vCPU, {type.memory_gib} GiB
            {type.gpus ? `, ${type.gpus} GPU` : ''})
            {type.available
              ? ''
              : ` — ${type.unavailable_reason ?? 'unavailable'}`}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** The job's time limit in seconds, as typed. */
export function MaxRuntimeField(props: {
  idPrefix: string;
  testId: string;
  errors: ReadonlyArray<string>;
  value: string;
  onChange: (value: string) => void;
}): JSX.Element {
  return (
    <TextField
      label="Max runtime (seconds)"
      id={`${props.idPrefix}-max-runtime`}
      testId={`${props.testId}-max-runtime`}
      errors={props.errors}
      hint="The job is stopped after this long (86400 = 1 day)"
      inputMode="numeric"
      value={props.value}
      onChange={props.onChange}
    />
  );
}

/** The container's environment variables. */
export function EnvironmentRows(props: {
  testId: string;
  errors: ReadonlyArray<string>;
  rows: ReadonlyArray<IKeyValueRow>;
  onChange: (rows: IKeyValueRow[]) => void;
}): JSX.Element {
  return (
    <KeyValueRows
      title="Environment"
      testId={`${props.testId}-env`}
      keyLabel="Variable"
      valueLabel="Value"
      rows={props.rows}
      rowErrors={() => []}
      errors={props.errors}
      onChange={props.onChange}
    />
  );
}
