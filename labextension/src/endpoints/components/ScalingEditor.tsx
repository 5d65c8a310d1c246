import * as React from 'react';

import { formatTime } from '../../jobs/format';
import { messageOf } from '../../messages';
import {
  COOLDOWN_MAX,
  IScalingForm,
  SCALING_MAX_INSTANCES,
  ScalingErrors,
  ScalingField,
  describeScaling,
  fieldOfScalingRefusal,
  scalingFormOf,
  scalingRequestOf,
  validateScaling
} from '../scaling';
import { ScalingModel } from '../scalingModel';
import { IVariantSummary } from '../tokens';

export interface IScalingSectionProps {
  variants: ReadonlyArray<IVariantSummary>;
  scaling: ScalingModel;
  now: number;
}

/** Each variant's target-tracking scaling policy, shown and edited. */
export function ScalingSection(props: IScalingSectionProps): JSX.Element {
  return (
    <section
      className="jp-AtelierJobs-section"
      aria-label="Scaling"
      data-testid="endpoint-scaling"
    >
      <h3>Scaling</h3>
      {props.variants.map(v => (
        <VariantScaling
          key={v.VariantName}
          variant={v}
          scaling={props.scaling}
          now={props.now}
        />
      ))}
    </section>
  );
}

const FIELDS: Array<{ key: ScalingField; label: string; hint: string }> = [
  {
    key: 'min',
    label: 'Minimum instances',
    hint: `1 to ${SCALING_MAX_INSTANCES}`
  },
  {
    key: 'max',
    label: 'Maximum instances',
    hint: `1 to ${SCALING_MAX_INSTANCES}`
  },
  {
    key: 'target',
    label: 'Target invocations per instance per minute',
    hint: 'above 0'
  },
  {
    key: 'scaleOutCooldown',
    label: 'Scale-out cooldown (s)',
    hint: `0 to ${COOLDOWN_MAX}`
  },
  {
    key: 'scaleInCooldown',
    label: 'Scale-in cooldown (s)',
    hint: `0 to ${COOLDOWN_MAX}`
  }
];

/** One variant: its policy in a line, the last scaling, and the form. */
function VariantScaling(props: {
  variant: IVariantSummary;
  scaling: ScalingModel;
  now: number;
}): JSX.Element {
  const { variant, scaling } = props;
  const name = variant.VariantName;
  const policy = scaling.policy(name);
  const readError = scaling.error(name);
  const [editing, setEditing] = React.useState(false);
  const [form, setForm] = React.useState<IScalingForm>(() =>
    scalingFormOf(policy ?? null, variant.DesiredInstanceCount)
  );
  const [errors, setErrors] = React.useState<ScalingErrors>({});
  const [refusal, setRefusal] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  const uid = React.useId();

  const open = (): void => {
    setForm(scalingFormOf(policy ?? null, variant.DesiredInstanceCount));
    setErrors({});
    setRefusal(null);
    setEditing(true);
  };
  const set = (patch: Partial<IScalingForm>): void => {
    setForm(f => ({ ...f, ...patch }));
    setErrors(all => {
      const rest = { ...all };
      for (const key of Object.keys(patch) as ScalingField[]) {
        delete rest[key];
      }
      return rest;
    });
    setRefusal(null);
  };
  const run = async (work: () => Promise<void>): Promise<void> => {
    setBusy(true);
    try {
      await work();
      setEditing(false);
    } catch (error) {
      const message = messageOf(error);
      const field = fieldOfScalingRefusal(message);
      if (field) {
        setErrors({ [field]: message });
      } else {
        setRefusal(message);
      }
    } finally {
      setBusy(false);
    }
  };
  const save = (event: React.FormEvent): void => {
    event.preventDefault();
    const found = validateScaling(form);
    setErrors(found);
    if (Object.keys(found).length) {
      return;
    }
    void run(() => scaling.put(name, scalingRequestOf(form)));
  };

  const last = policy?.LastScalingActivity;
  return (
    <form
      className="jp-AtelierEndpoints-scaling"
      aria-label={`Scaling of ${name}`}
      data-variant={name}
      data-testid="endpoint-variant-scaling"
      onSubmit={save}
      noValidate
    >
      <h4>{name}</h4>
      <p data-testid="endpoint-scaling-policy">
        {policy === undefined
          ? readError
            ? `Cannot read the scaling policy: ${readError}`
            : 'Reading the scaling policy…'
          : policy === null
            ? 'No scaling policy: the instance count stays as set.'
            : describeScaling(policy)}
      </p>
      {last && (
        <p className="jp-AtelierJobs-muted" data-testid="endpoint-scaling-last">
          Last scaled {formatTime(last.Time, props.now)}: {last.From} →{' '}
          {last.To} instances ({last.Reason})
        </p>
      )}
      {editing && (
        <div className="jp-AtelierEndpoints-scalingFields">
          {FIELDS.map(f => {
            const error = errors[f.key];
            const id = `${uid}-${f.key}`;
            return (
              <div key={f.key} className="jp-AtelierEndpoints-deployField">
                <label htmlFor={id}>{f.label}</label>
                <input
                  id={id}
                  className="jp-AtelierJobs-input"
                  inputMode="decimal"
                  value={String(form[f.key])}
                  disabled={busy}
                  title={f.hint}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? `${id}-error` : undefined}
                  onChange={e => set({ [f.key]: e.target.value })}
                />
                {error && (
                  <span
                    id={`${id}-error`}
                    className="jp-AtelierJobs-fieldError"
                    data-testid="scaling-field-error"
                  >
                    {error}
                  </span>
                )}
              </div>
            );
          })}
          <label className="jp-AtelierEndpoints-checkbox">
            <input
              type="checkbox"
              checked={form.disableScaleIn}
              disabled={busy}
              onChange={e => set({ disableScaleIn: e.target.checked })}
            />{' '}
            Never scale in
          </label>
        </div>
      )}
      {refusal && (
        <p className="jp-AtelierJobs-fieldError" role="alert">
          The server refused the policy: {refusal}
        </p>
      )}
      <div className="jp-AtelierJobs-formActions">
        {editing ? (
          <>
            <button
              type="submit"
              className="jp-AtelierJobs-button jp-mod-accept"
              disabled={busy}
            >
              {busy ? 'Saving…' : 'Save policy'}
            </button>
            <button
              type="button"
              className="jp-AtelierJobs-button"
              disabled={busy}
              onClick={() => setEditing(false)}
            >
              Cancel
            </button>
          </>
        ) : (
          <button
            type="button"
            className="jp-AtelierJobs-button"
            disabled={policy === undefined && !readError}
            onClick={open}
          >
            {policy ? 'Edit policy' : 'Add policy'}
          </button>
        )}
        {policy && !editing && (
          <button
            type="button"
            className="jp-AtelierJobs-button jp-mod-warn"
            disabled={busy}
            onClick={() => void run(() => scaling.remove(name))}
          >
            Remove policy
          </button>
        )}
      </div>
    </form>
  );
}
