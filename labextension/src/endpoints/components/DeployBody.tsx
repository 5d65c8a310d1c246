import { ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { IInstanceType } from '../../instance/tokens';
import { typeDetails, unavailableText } from '../../instance/spec';
import { DeployErrors, IDeployForm } from '../deploy';

/**
 * The Deploy dialog's fields, each with its error under it. The count is
 * a text box checked by validateDeploy, not by the browser: JupyterLab's
 * dialog disables its buttons while an input is :invalid, which would say nothing.
 */
function DeployFields(props: {
  jobName: string;
  types: ReadonlyArray<IInstanceType>;
  form: IDeployForm;
  errors: DeployErrors;
  onChange: (form: IDeployForm) => void;
}): JSX.Element {
  const [form, setForm] = React.useState(props.form);
  // A field's error goes once the field is edited; the others stay until the next try.
  const [errors, setErrors] = React.useState(props.errors);
  const set = (patch: Partial<IDeployForm>): void => {
    const next = { ...form, ...patch };
    setForm(next);
    setErrors(all => {
      const rest = { ...all };
      for (const key of Object.keys(patch) as Array<keyof IDeployForm>) {
        delete rest[key];
      }
      return rest;
    });
    props.onChange(next);
  };
  const field = (
    key: keyof IDeployForm,
    label: string,
    control: (id: string, describedBy?: string) => JSX.Element
  ): JSX.Element => {
    const id = `atelier-deploy-${key}`;
    const error = errors[key];
    return (
      <div className="jp-AtelierEndpoints-deployField">
        <label htmlFor={id}>{label}</label>
        {control(id, error ? `${id}-error` : undefined)}
        {error && (
          <span
            id={`${id}-error`}
            className="jp-AtelierJobs-fieldError"
            data-testid="deploy-field-error"
          >
            {error}
          </span>
        )}
      </div>
    );
  };
  return (
    <div className="jp-AtelierEndpoints-deploy">
      <p>
        Serve the model of training job <strong>{props.jobName}</strong>: a
        model, an endpoint config with one variant taking all the traffic, and
        the endpoint, each of this name.
      </p>
      {field('endpointName', 'Endpoint name', (id, describedBy) => (
        <input
          id={id}
          className="jp-AtelierJobs-input"
          value={form.endpointName}
          aria-invalid={describedBy ? true : undefined}
          aria-describedby={describedBy}
          onChange={e => set({ endpointName: e.target.value })}
        />
      ))}
      {field('instanceType', 'Instance type', (id, describedBy) => (
        <select
          id={id}
          className="jp-AtelierJobs-select"
          value={form.instanceType}
          aria-invalid={describedBy ? true : undefined}
          aria-describedby={describedBy}
          onChange={e => set({ instanceType: e.target.value })}
        >
          {props.types.map(t => (
            <option
              key={t.name}
              value={t.name}
              disabled={unavailableText(t) !== null}
            >
              {t.name} · {typeDetails(t)}
            </option>
          ))}
        </select>
      ))}
      {field('instanceCount', 'Instance count', (id, describedBy) => (
        <input
          id={id}
          className="jp-AtelierJobs-input"
          inputMode="numeric"
          value={form.instanceCount}
          aria-invalid={describedBy ? true : undefined}
          aria-describedby={describedBy}
          onChange={e => set({ instanceCount: e.target.value })}
        />
      ))}
    </div>
  );
}

/** The body of the Deploy dialog; its value is the form as typed. */
export class DeployBody extends ReactWidget {
  constructor(
    private _props: {
      jobName: string;
      types: ReadonlyArray<IInstanceType>;
      form: IDeployForm;
      errors: DeployErrors;
    }
  ) {
    super();
    this._form = _props.form;
  }

  getValue(): IDeployForm {
    return this._form;
  }

  render(): JSX.Element {
    return (
      <DeployFields {...this._props} onChange={form => (this._form = form)} />
    );
  }

  private _form: IDeployForm;
}
