import * as React from 'react';

import { FORM_ERROR, FormErrors } from '../formRules';
import { IFormCatalog } from './formCatalog';
import { ImageField, InstanceTypeField, TextField } from './FormFields';

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
  /** A line under the title, such as where a clone was filled from. */
  subtitle?: string;
  /** What the user should know before sending (what a clone left out). */
  notes?: ReadonlyArray<string>;
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
      {props.subtitle && (
        <p className="jp-AtelierJobs-muted" data-testid={`${testId}-subtitle`}>
          {props.subtitle}
        </p>
      )}
      {(props.notes ?? []).map(note => (
        <p key={note} className="jp-AtelierJobs-hint" role="note">
          {note}
        </p>
      ))}
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
