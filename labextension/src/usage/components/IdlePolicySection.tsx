import * as React from 'react';

import { messageOf } from '../../messages';
import { SectionHeader } from '../../running/components/SectionHeader';
import { IUsageApi } from '../api';
import { IIdlePolicy } from '../tokens';
import { IIdleDraft, idleDrafts } from '../idlePolicy';
import { IdlePolicyItem } from './IdlePolicyItem';

/**
 * The lines with a type's line replaced (added when new); an unchanged line
 * keeps its identity, so a rule being typed elsewhere is not reset.
 */
function replaceLine(
  lines: IIdleDraft[] | null,
  updated: IIdleDraft
): IIdleDraft[] | null {
  if (lines === null) {
    return null;
  }
  const old = lines.find(line => line.instanceType === updated.instanceType);
  if (!old) {
    return [...lines, updated];
  }
  if (old.kernel === updated.kernel && old.instance === updated.instance) {
    return lines;
  }
  return lines.map(line => (line === old ? updated : line));
}

export interface IIdlePolicySectionProps {
  api: Pick<
    IUsageApi,
    | 'fetchIdlePolicies'
    | 'fetchInstanceTypes'
    | 'saveIdlePolicy'
    | 'idlePolicyChanged'
  >;
}

/**
 * The "Idle shutdown" section: per instance type, the minutes a kernel may
 * stay idle before it is shut down and an instance before it is stopped
 * (0 = off). The server's rules are loaded when the panel opens; each
 * type's Save writes its rule (through the settings, see `IdleRulesSync`),
 * and a rule changed in the Settings Editor shows here once applied.
 */
export function IdlePolicySection(props: IIdlePolicySectionProps): JSX.Element {
  const { api } = props;
  const [saved, setSaved] = React.useState<IIdleDraft[] | null>(null);
  const [error, setError] = React.useState<string | null>(null);

  React.useEffect(() => {
    let current = true;
    Promise.all([api.fetchInstanceTypes(), api.fetchIdlePolicies()]).then(
      ([types, policies]) => {
        if (current) {
          setSaved(idleDrafts(types, policies));
          setError(null);
        }
      },
      reason => {
        if (current) {
          setError(`Could not load the idle rules: ${messageOf(reason)}`);
        }
      }
    );
    return () => {
      current = false;
    };
  }, [api]);

  // A rule changed elsewhere (the Settings Editor) replaces its line.
  React.useEffect(() => {
    const signal = api.idlePolicyChanged;
    if (!signal) {
      return;
    }
    const onChanged = (_: unknown, policy: IIdlePolicy): void => {
      const [updated] = idleDrafts([{ name: policy.instance_type }], [policy]);
      setSaved(old => replaceLine(old, updated));
    };
    signal.connect(onChanged);
    return () => {
      signal.disconnect(onChanged);
    };
  }, [api]);

  const onSave = React.useCallback(
    async (
      draft: IIdleDraft,
      body: Parameters<IUsageApi['saveIdlePolicy']>[1]
    ) => {
      const policy = await api.saveIdlePolicy(draft.instanceType, body);
      const [updated] = idleDrafts([{ name: policy.instance_type }], [policy]);
      setSaved(old => replaceLine(old, updated));
    },
    [api]
  );

  const active = (saved ?? []).filter(
    line => line.kernel !== '0' || line.instance !== '0'
  ).length;
  return (
    <section
      className="jp-AtelierRunning-section jp-AtelierIdle"
      aria-labelledby="atelier-idle-title"
    >
      <SectionHeader
        id="atelier-idle-title"
        title="Idle shutdown"
        count={active}
        countLabel="Idle rule count"
        actionsLabel="Idle shutdown actions"
      />
      <p className="jp-AtelierIdle-help">
        Minutes idle before a kernel is shut down, and before an instance none
        of whose kernels is busy is stopped. 0 turns a rule off.
      </p>
      {error && (
        <p className="jp-AtelierRunning-feedError" role="alert">
          {error}
        </p>
      )}
      {saved === null ? (
        !error && <p className="jp-AtelierRunning-empty">Loading idle rules…</p>
      ) : (
        <ul className="jp-AtelierRunning-list" aria-label="Idle rules">
          {saved.map(line => (
            <IdlePolicyItem
              key={line.instanceType}
              saved={line}
              onSave={onSave}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
