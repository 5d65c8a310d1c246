import * as React from 'react';

export interface IFailureBoxProps {
  reason: string | null | undefined;
  testId: string;
  /** The words before the reason. */
  heading?: string;
}

/**
 * Why something failed, in a box of the theme's panel colour with an error
 * edge (its text meets WCAG AA in light and dark themes); nothing without a reason.
 */
export function FailureBox(props: IFailureBoxProps): JSX.Element | null {
  const reason = (props.reason ?? '').trim();
  if (!reason) {
    return null;
  }
  return (
    <div
      className="jp-AtelierJobs-failure"
      role="alert"
      data-testid={props.testId}
    >
      <strong>{props.heading ?? 'Failure reason:'}</strong> {reason}
    </div>
  );
}
