import * as React from 'react';

import { messageOf } from '../../messages';
import { IVariantSummary, IDesiredWeightAndCapacity } from '../tokens';
import {
  IVariantEdit,
  desiredOf,
  editsOf,
  hasErrors,
  validateEdits
} from '../weights';

export interface IWeightsEditorProps {
  variants: ReadonlyArray<IVariantSummary>;
  /** False while the endpoint is not InService: the server refuses changes then. */
  enabled: boolean;
  /** Why editing is off, when it is. */
  disabledReason?: string;
  onApply: (desired: IDesiredWeightAndCapacity[]) => Promise<void>;
}

/**
 * Each variant's desired weight and instance count
 * (UpdateEndpointWeightsAndCapacities), checked before anything is sent.
 */
export function WeightsEditor(props: IWeightsEditorProps): JSX.Element {
  const { variants, enabled, onApply } = props;
  const key = variants
    .map(v => `${v.VariantName}:${v.DesiredWeight}:${v.DesiredInstanceCount}`)
    .join(',');
  const [edits, setEdits] = React.useState<IVariantEdit[]>(() =>
    editsOf(variants)
  );
  const [touched, setTouched] = React.useState(false);
  const [submitted, setSubmitted] = React.useState(false);
  const [busy, setBusy] = React.useState(false);
  const [serverError, setServerError] = React.useState<string | null>(null);
  // The server's new desired values replace an edit not being typed.
  React.useEffect(() => {
    if (!touched) {
      setEdits(editsOf(variants));
    }
  }, [key]);

  const errors = validateEdits(edits);
  // Ids unique to this editor: several endpoint tabs can be open.
  const uid = React.useId();
  const show = submitted || touched;
  const changed = desiredOf(edits, variants).length > 0;
  const set = (name: string, field: 'weight' | 'count', value: string) => {
    setTouched(true);
    setServerError(null);
    setEdits(all =>
      all.map(e => (e.VariantName === name ? { ...e, [field]: value } : e))
    );
  };
  const apply = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    setSubmitted(true);
    if (hasErrors(errors) || !changed) {
      return;
    }
    setBusy(true);
    try {
      await onApply(desiredOf(edits, variants, true));
      setTouched(false);
      setSubmitted(false);
    } catch (error) {
      setServerError(messageOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="jp-AtelierJobs-section jp-AtelierEndpoints-weights"
      aria-label="Weights and instance counts"
      data-testid="endpoint-weights"
      onSubmit={event => void apply(event)}
      noValidate
    >
      <h3>Weights and instance counts</h3>
      {!enabled && props.disabledReason && (
        <p className="jp-AtelierJobs-muted">{props.disabledReason}</p>
      )}
      <div className="jp-AtelierEndpoints-weightRows">
        {edits.map(edit => {
          const wErr = show ? errors.weight[edit.VariantName] : undefined;
          const cErr = show ? errors.count[edit.VariantName] : undefined;
          const id = `${uid}-${edit.VariantName.replace(/[^\w-]/g, '_')}`;
          return (
            <fieldset key={edit.VariantName} data-variant={edit.VariantName}>
              <legend>{edit.VariantName}</legend>
              <label htmlFor={`${id}-weight`}>Weight</label>
              <input
                id={`${id}-weight`}
                className="jp-AtelierJobs-input"
                inputMode="decimal"
                value={edit.weight}
                disabled={!enabled || busy}
                aria-invalid={wErr ? true : undefined}
                aria-describedby={wErr ? `${id}-weight-error` : undefined}
                onChange={e => set(edit.VariantName, 'weight', e.target.value)}
              />
              {wErr && (
                <span
                  id={`${id}-weight-error`}
                  className="jp-AtelierJobs-fieldError"
                >
                  {wErr}
                </span>
              )}
              <label htmlFor={`${id}-count`}>Instances</label>
              <input
                id={`${id}-count`}
                className="jp-AtelierJobs-input"
                inputMode="numeric"
                value={edit.count}
                disabled={!enabled || busy}
                aria-invalid={cErr ? true : undefined}
                aria-describedby={cErr ? `${id}-count-error` : undefined}
                onChange={e => set(edit.VariantName, 'count', e.target.value)}
              />
              {cErr && (
                <span
                  id={`${id}-count-error`}
                  className="jp-AtelierJobs-fieldError"
                >
                  {cErr}
                </span>
              )}
            </fieldset>
          );
        })}
      </div>
      {show && errors.form && (
        <p className="jp-AtelierJobs-fieldError" role="alert">
          {errors.form}
        </p>
      )}
      {serverError && (
        <p className="jp-AtelierJobs-fieldError" role="alert">
          The server refused the change: {serverError}
        </p>
      )}
      <div className="jp-AtelierJobs-formActions">
        <button
          type="submit"
          className="jp-AtelierJobs-button jp-mod-accept"
          disabled={!enabled || busy || !changed}
        >
          {busy ? 'Applying…' : 'Apply'}
        </button>
        <button
          type="button"
          className="jp-AtelierJobs-button"
          disabled={busy || !touched}
          onClick={() => {
            setEdits(editsOf(variants));
            setTouched(false);
            setSubmitted(false);
            setServerError(null);
          }}
        >
          Reset
        </button>
      </div>
    </form>
  );
}
