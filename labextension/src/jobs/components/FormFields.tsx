import * as React from 'react';

import { IJobsApi } from '../api';
import { FORM_ERROR, FormErrors, IKeyValueRow, jobImages } from '../jobForm';
import { messageOf } from '../../messages';
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

/** What a job form loads from the server before it can be filled. */
export interface IFormCatalog {
  images: IImageInfo[];
  types: IInstanceType[];
  /** The object store's default bucket, when there is one. */
  bucket: string | null;
  /** What could not be loaded, or null. */
  loadError: string | null;
}

/** The defaults a form takes from its catalog once it is loaded. */
export interface IFormDefaults {
  image: string;
  instanceType: string;
  bucket: string | null;
}

/**
 * Loads the Docker images, the instance types and the default bucket once;
 * calls `onLoaded` with the defaults (atelier/sklearn, the default type).
 */
export function useFormCatalog(
  api: IJobsApi,
  onLoaded: (defaults: IFormDefaults) => void
): IFormCatalog {
  const [catalog, setCatalog] = React.useState<IFormCatalog>({
    images: [],
    types: [],
    bucket: null,
    loadError: null
  });
  React.useEffect(() => {
    void Promise.allSettled([
      api.images(),
      api.instanceTypes(),
      api.health()
    ]).then(([imagesResult, typesResult, healthResult]) => {
      const problems: string[] = [];
      const next: IFormCatalog = { ...catalog };
      const defaults: IFormDefaults = {
        image: '',
        instanceType: '',
        bucket: null
      };
      if (imagesResult.status === 'fulfilled') {
        next.images = jobImages(imagesResult.value?.images ?? []);
        const sklearn = next.images.find(i =>
          i.name.startsWith('atelier/sklearn')
        );
        defaults.image = (sklearn ?? next.images[0])?.name ?? '';
      } else {
        problems.push(`images: ${messageOf(imagesResult.reason)}`);
      }
      if (typesResult.status === 'fulfilled') {
        next.types = typesResult.value?.instance_types ?? [];
        const preferred = next.types.find(
          t => t.name === typesResult.value?.default && t.available
        );
        defaults.instanceType =
          (preferred ?? next.types.find(t => t.available))?.name ?? '';
      } else {
        problems.push(`instance types: ${messageOf(typesResult.reason)}`);
      }
      if (healthResult.status === 'fulfilled') {
        next.bucket = healthResult.value?.object_store?.default_bucket ?? null;
        defaults.bucket = next.bucket;
      }
      next.loadError = problems.length
        ? `Cannot load ${problems.join('; ')}`
        : null;
      setCatalog(next);
      onLoaded(defaults);
    });
  }, []);
  return catalog;
}

/**
 * The messages no field of the form shows (the server named another field,
 * or none): shown above the form.
 */
export function otherErrors(
  errors: FormErrors,
  known: ReadonlyArray<string>
): string[] {
  return Object.entries(errors)
    .filter(
      ([key]) =>
        key === FORM_ERROR || !known.some(k => key === k || key.startsWith(k))
    )
    .map(([key, message]) =>
      key === FORM_ERROR ? message : `${key}: ${message}`
    );
}

export interface IJobFormFrameProps {
  /** "New training job". */
  title: string;
  /** Base of the data-testids: `<testId>`, `<testId>-name`, `-submit`... */
  testId: string;
  /** Base of the inputs' ids. */
  idPrefix: string;
  catalog: IFormCatalog;
  errors: FormErrors;
  /** Request paths (prefixes) of the form's fields, name, image and type first. */
  known: readonly [string, string, string, ...string[]];
  name: string;
  image: string;
  instanceType: string;
  onName: (name: string) => void;
  onImage: (image: string) => void;
  onInstanceType: (type: string) => void;
  /** "Create training job". */
  submitText: string;
  /** What the button says while it is disabled for work, or null. */
  busy: string | null;
  disabled: boolean;
  onSubmit: () => void;
  /** The fields of the job's kind, between the instance type and the button. */
  children: React.ReactNode;
}

/**
 * A new job form: its title, what could not be loaded, the errors no field
 * shows, name, image and instance type, the kind's own fields, the button.
 */
export function JobFormFrame(props: IJobFormFrameProps): JSX.Element {
  const { testId, idPrefix, errors, catalog } = props;
  const [nameField, imageField, typeField] = props.known;
  const exact = (key: string): string[] => (errors[key] ? [errors[key]] : []);
  const other = otherErrors(errors, props.known);
  return (
    <form
      className="jp-AtelierJobs-form"
      data-testid={testId}
      aria-label={props.title}
      noValidate
      onSubmit={event => {
        event.preventDefault();
        props.onSubmit();
      }}
    >
      <h2>{props.title}</h2>
      {catalog.loadError && (
        <p className="jp-AtelierJobs-error" role="alert">
          {catalog.loadError}
        </p>
      )}
      {other.length > 0 && (
        <div
          className="jp-AtelierJobs-failure"
          role="alert"
          data-testid={`${testId}-errors`}
        >
          {other.map(message => (
            <p key={message}>{message}</p>
          ))}
        </div>
      )}
      <TextField
        label="Job name"
        id={`${idPrefix}-name`}
        testId={`${testId}-name`}
        errors={exact(nameField)}
        hint="1-63 letters, digits and hyphens"
        value={props.name}
        onChange={props.onName}
      />
      <ImageField
        id={`${idPrefix}-image`}
        testId={`${testId}-image`}
        images={catalog.images}
        errors={exact(imageField)}
        value={props.image}
        onChange={props.onImage}
      />
      <InstanceTypeField
        id={`${idPrefix}-instance-type`}
        testId={`${testId}-instance-type`}
        types={catalog.types}
        errors={exact(typeField)}
        value={props.instanceType}
        onChange={props.onInstanceType}
      />
      {props.children}
      <div className="jp-AtelierJobs-formActions">
        <button
          type="submit"
          className="jp-AtelierJobs-button jp-mod-accept"
          data-testid={`${testId}-submit`}
          aria-label={`Create the ${props.title.replace(/^New /, '')}`}
          title={`Create the ${props.title.replace(/^New /, '')}`}
          disabled={props.disabled}
        >
          {props.busy ?? props.submitText}
        </button>
      </div>
    </form>
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
