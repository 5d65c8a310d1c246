import { ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { CapacitySizeType, TrafficRoutingType } from '../tokens';
import {
  IUpdateForm,
  LINEAR_MAX_PERCENT,
  LINEAR_MIN_PERCENT,
  CANARY_MAX_PERCENT,
  TIMEOUT_MAX,
  TIMEOUT_MIN,
  UpdateErrors,
  UpdateField,
  WAIT_MAX,
  alarmNames
} from '../update';

export interface IUpdateBodyProps {
  endpointName: string;
  currentConfig: string;
  configs: ReadonlyArray<string>;
  form: IUpdateForm;
  errors: UpdateErrors;
  /** The server's refusal of the last try when no field is named, or null. */
  refusal: string | null;
}

const ROUTINGS: Array<{ value: TrafficRoutingType; label: string }> = [
  { value: 'ALL_AT_ONCE', label: 'All at once' },
  { value: 'CANARY', label: 'Canary' },
  { value: 'LINEAR', label: 'Linear' }
];

const SIZES: Array<{ value: CapacitySizeType; label: string }> = [
  { value: 'CAPACITY_PERCENT', label: '% of the new fleet' },
  { value: 'INSTANCE_COUNT', label: 'instances' }
];

/**
 * The Update dialog's fields, each with its error under it. Numbers are
 * text boxes checked by validateUpdate: JupyterLab's dialog disables its
 * buttons while an input is :invalid, which would say nothing.
 */
function UpdateFields(
  props: IUpdateBodyProps & { onChange: (form: IUpdateForm) => void }
): JSX.Element {
  const [form, setForm] = React.useState(props.form);
  const [errors, setErrors] = React.useState(props.errors);
  const set = (patch: Partial<IUpdateForm>): void => {
    const next = { ...form, ...patch };
    setForm(next);
    setErrors(all => {
      const rest = { ...all };
      for (const key of Object.keys(patch) as UpdateField[]) {
        delete rest[key];
      }
      return rest;
    });
    props.onChange(next);
  };
  const uid = React.useId();
  const error = (key: UpdateField): JSX.Element | null =>
    errors[key] ? (
      <span
        id={`${uid}-${key}-error`}
        className="jp-AtelierJobs-fieldError"
        data-testid="update-field-error"
        data-field={key}
      >
        {errors[key]}
      </span>
    ) : null;
  const aria = (key: UpdateField) => ({
    'aria-invalid': errors[key] ? true : undefined,
    'aria-describedby': errors[key] ? `${uid}-${key}-error` : undefined
  });
  const text = (
    key: UpdateField,
    label: string,
    range: string
  ): JSX.Element => (
    <div className="jp-AtelierEndpoints-deployField">
      <label htmlFor={`${uid}-${key}`}>{label}</label>
      <input
        id={`${uid}-${key}`}
        className="jp-AtelierJobs-input"
        inputMode="numeric"
        value={String(form[key])}
        {...aria(key)}
        onChange={e => set({ [key]: e.target.value })}
      />
      <span className="jp-AtelierJobs-muted">{range}</span>
      {error(key)}
    </div>
  );
  const size = (
    typeKey: 'canaryType' | 'linearType',
    valueKey: 'canaryValue' | 'linearValue',
    label: string,
    range: string
  ): JSX.Element => (
    <div className="jp-AtelierEndpoints-deployField">
      <label htmlFor={`${uid}-${valueKey}`}>{label}</label>
      <div className="jp-AtelierEndpoints-inline">
        <input
          id={`${uid}-${valueKey}`}
          className="jp-AtelierJobs-input"
          inputMode="numeric"
          value={form[valueKey]}
          {...aria(valueKey)}
          onChange={e => set({ [valueKey]: e.target.value })}
        />
        <select
          className="jp-AtelierJobs-select"
          aria-label={`${label} unit`}
          value={form[typeKey]}
          onChange={e => set({ [typeKey]: e.target.value as CapacitySizeType })}
        >
          {SIZES.map(s => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      <span className="jp-AtelierJobs-muted">{range}</span>
      {error(valueKey)}
    </div>
  );
  const alarm = (
    onKey: 'errorRateOn' | 'latencyOn',
    valueKey: 'errorRate' | 'latencyMs',
    label: string,
    unit: string
  ): JSX.Element => (
    <div className="jp-AtelierEndpoints-alarmRow" data-alarm={valueKey}>
      <label>
        <input
          type="checkbox"
          checked={form[onKey]}
          onChange={e => set({ [onKey]: e.target.checked })}
        />{' '}
        {label}
      </label>
      <input
        className="jp-AtelierJobs-input"
        inputMode="decimal"
        aria-label={`${label} (${unit})`}
        value={form[valueKey]}
        disabled={!form[onKey]}
        {...aria(valueKey)}
        onChange={e => set({ [valueKey]: e.target.value })}
      />
      <span>{unit}</span>
      {error(valueKey)}
    </div>
  );
  const names = alarmNames(form);
  return (
    <div className="jp-AtelierEndpoints-deploy jp-AtelierEndpoints-update">
      <p>
        Blue/green from <strong>{props.currentConfig || '—'}</strong>: the new
        fleet starts beside the old one, traffic shifts to it, and an alarm that
        fires sends all traffic back.
      </p>
      {props.refusal && (
        <p className="jp-AtelierJobs-fieldError" role="alert">
          The server refused the update: {props.refusal}
        </p>
      )}
      <div className="jp-AtelierEndpoints-deployField">
        <label htmlFor={`${uid}-config`}>Endpoint config</label>
        <select
          id={`${uid}-config`}
          className="jp-AtelierJobs-select"
          value={form.config}
          {...aria('config')}
          onChange={e => set({ config: e.target.value })}
        >
          {!props.configs.includes(form.config) && (
            <option value={form.config}>{form.config || 'Choose…'}</option>
          )}
          {props.configs.map(c => (
            <option key={c} value={c}>
              {c}
              {c === props.currentConfig ? ' (current)' : ''}
            </option>
          ))}
        </select>
        {error('config')}
      </div>
      <div className="jp-AtelierEndpoints-deployField">
        <label htmlFor={`${uid}-routing`}>Traffic routing</label>
        <select
          id={`${uid}-routing`}
          className="jp-AtelierJobs-select"
          value={form.routing}
          onChange={e => set({ routing: e.target.value as TrafficRoutingType })}
        >
          {ROUTINGS.map(r => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
      </div>
      {form.routing === 'CANARY' &&
        size(
          'canaryType',
          'canaryValue',
          'Canary size',
          `At most ${CANARY_MAX_PERCENT}% of the new fleet's traffic`
        )}
      {form.routing === 'LINEAR' &&
        size(
          'linearType',
          'linearValue',
          'Linear step',
          `Each step ${LINEAR_MIN_PERCENT}% to ${LINEAR_MAX_PERCENT}% of the traffic`
        )}
      <div className="jp-AtelierEndpoints-updateTimes">
        {text(
          'wait',
          form.routing === 'ALL_AT_ONCE'
            ? 'Baking time (s)'
            : 'Wait after each step (s)',
          `0 to ${WAIT_MAX}`
        )}
        {text('terminationWait', 'Termination wait (s)', `0 to ${WAIT_MAX}`)}
        {text(
          'maxTimeout',
          'Maximum execution time (s)',
          `${TIMEOUT_MIN} to ${TIMEOUT_MAX}`
        )}
      </div>
      <fieldset className="jp-AtelierEndpoints-alarms">
        <legend>Roll back automatically</legend>
        {alarm(
          'errorRateOn',
          'errorRate',
          'Roll back when the 5xx error rate is above',
          '%'
        )}
        {alarm(
          'latencyOn',
          'latencyMs',
          'Roll back when the p99 model latency is above',
          'ms'
        )}
        <span className="jp-AtelierJobs-muted" data-testid="update-alarms">
          {names.length
            ? `Alarms: ${names.join(', ')}`
            : 'No alarms: only the maximum execution time rolls back.'}
        </span>
      </fieldset>
    </div>
  );
}

/** The body of the Update dialog; its value is the form as typed. */
export class UpdateBody extends ReactWidget {
  constructor(private _props: IUpdateBodyProps) {
    super();
    this._form = _props.form;
  }

  getValue(): IUpdateForm {
    return this._form;
  }

  render(): JSX.Element {
    return (
      <UpdateFields {...this._props} onChange={form => (this._form = form)} />
    );
  }

  private _form: IUpdateForm;
}
