import * as React from 'react';

import { ToneBadge } from '../../../components/ToneBadge';
import { firedAt, ruleBadge } from '../shape';
import { IRuleStatus } from '../tokens';

export interface IRuleStatusListProps {
  title: string;
  statuses: ReadonlyArray<IRuleStatus>;
  testId: string;
  /** Shows the tensor a rule fired on, at its step, in the reductions chart. */
  onShowTensor?: (tensor: string, step: number) => void;
}

/** Rules with their status badges, details, and where a rule fired. */
export function RuleStatusList(
  props: IRuleStatusListProps
): JSX.Element | null {
  const { title, statuses, testId, onShowTensor } = props;
  if (statuses.length === 0) {
    return null;
  }
  return (
    <div className="jp-AtelierDebugger-rules" data-testid={testId}>
      <h4>{title}</h4>
      <ul>
        {statuses.map(s => {
          const fired = firedAt(s);
          return (
            <li
              key={s.RuleConfigurationName}
              data-testid="debugger-rule"
              data-rule={s.RuleConfigurationName}
              data-status={s.RuleEvaluationStatus}
            >
              <span className="jp-AtelierDebugger-ruleName">
                {s.RuleConfigurationName}
              </span>
              <ToneBadge
                badge={ruleBadge(s.RuleEvaluationStatus)}
                status={s.RuleEvaluationStatus}
                title={s.StatusDetails || undefined}
                testId="debugger-rule-badge"
              />
              {fired && (
                <span
                  className="jp-AtelierDebugger-fired"
                  data-testid="debugger-rule-fired"
                >
                  at step {fired.step}
                  {fired.mode ? ` (${fired.mode})` : ''}
                  {fired.tensor && (
                    <>
                      {' on '}
                      {onShowTensor ? (
                        <button
                          type="button"
                          className="jp-AtelierDebugger-link"
                          onClick={() =>
                            onShowTensor(fired.tensor!, fired.step)
                          }
                        >
                          {fired.tensor}
                        </button>
                      ) : (
                        <code>{fired.tensor}</code>
                      )}
                    </>
                  )}
                </span>
              )}
              {s.StatusDetails && (
                <span className="jp-AtelierDebugger-details">
                  {s.StatusDetails}
                </span>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
