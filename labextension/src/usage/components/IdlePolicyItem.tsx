import * as React from 'react';

import {
  IdleField,
  IIdleDraft,
  idlePolicyBody,
  isDirty,
  MAX_IDLE_MINUTES
} from '../idlePolicy';

export interface IIdlePolicyItemProps {
  /** The server's rule for the type. */
  saved: IIdleDraft;
  /** Saves; rejects (after notifying) when the server refuses. */
  onSave: (draft: IIdleDraft, body: Record<IdleField, number>) => Promise<void>;
}

/** One type's idle rule: two minute inputs and Save. */
export function IdlePolicyItem(props: IIdlePolicyItemProps): JSX.Element {
  const { saved, onSave } = props;
  const type = saved.instanceType;
  const [draft, setDraft] = React.useState<IIdleDraft>(saved);
  const [errors, setErrors] = React.useState<
    Partial<Record<IdleField, string>>
  >({});
  const [saving, setSaving] = React.useState(false);

  // A new rule from the server replaces what was typed.
  React.useEffect(() => {
    setDraft(saved);
    setErrors({});
  }, [saved]);

  const edit = (field: 'kernel' | 'instance', value: string): void => {
    setDraft(old => ({ ...old, [field]: value }));
    setErrors({});
  };

  const save = (event: React.FormEvent): void => {
    event.preventDefault();
    const checked = idlePolicyBody(draft);
    if ('errors' in checked) {
      setErrors(checked.errors);
      return;
    }
    setSaving(true);
    onSave(draft, checked.body)
      .catch(() => {
        // Notified by the caller; the typed values stay for a retry.
      })
      .finally(() => setSaving(false));
  };

  const messages = Object.values(errors);
  const input = (
    field: 'kernel' | 'instance',
    name: IdleField,
    label: string
  ): JSX.Element => (
    <label className="jp-AtelierIdle-field">
      <span>{label}</span>
      <input
        className="jp-AtelierIdle-input"
        type="text"
        inputMode="numeric"
        aria-label={`${label} minutes for ${type}`}
        aria-invalid={errors[name] ? true : undefined}
        title={`Whole minutes, 0 (off) to ${MAX_IDLE_MINUTES}`}
        value={draft[field]}
        disabled={saving}
        onChange={event => edit(field, event.target.value)}
      />
      <span>min</span>
    </label>
  );

  return (
    <li className="jp-AtelierRunning-item" aria-label={`Idle rule ${type}`}>
      <form className="jp-AtelierIdle-form" onSubmit={save}>
        <div className="jp-AtelierRunning-itemHeader">
          <span className="jp-AtelierRunning-path">{type}</span>
          <button
            type="submit"
            className="jp-AtelierRunning-button"
            aria-label={`Save idle rule for ${type}`}
            disabled={saving || !isDirty(draft, saved)}
          >
            {saving ? 'Saving…' : 'Save'}
          </button>
        </div>
        <div className="jp-AtelierIdle-fields">
          {input('kernel', 'kernel_idle_minutes', 'Kernel idle')}
          {input('instance', 'instance_idle_minutes', 'Instance idle')}
        </div>
        {messages.length > 0 && (
          <p className="jp-AtelierRunning-feedError" role="alert">
            {messages.join(' ')}
          </p>
        )}
      </form>
    </li>
  );
}
