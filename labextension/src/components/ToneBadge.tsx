import * as React from 'react';

/** The colour family of a status badge (`jp-AtelierJobs-badge-<tone>` in jobs.css). */
export type BadgeTone = 'running' | 'success' | 'error' | 'warning' | 'neutral';

/** How the badge of a status looks and reads. */
export interface IStatusBadge {
  tone: BadgeTone;
  /** Words for the badge, e.g. "In progress". */
  label: string;
}

/** The badge of a status from a table; an unknown status reads as itself, neutral. */
export function badgeFrom(
  table: Readonly<Record<string, IStatusBadge>>,
  status: string | null | undefined
): IStatusBadge {
  if (status && Object.prototype.hasOwnProperty.call(table, status)) {
    return table[status];
  }
  return { tone: 'neutral', label: status || 'Unknown' };
}

export interface IToneBadgeProps {
  badge: IStatusBadge;
  /** The status as the server says it (`data-status`). */
  status: string;
  /** Shown on hover; the label when none. */
  title?: string;
  testId: string;
}

/**
 * A coloured badge with a status, shared by the panels: a tint of the
 * state's colour behind the state's text colour, AA in light and dark themes.
 */
export function ToneBadge(props: IToneBadgeProps): JSX.Element {
  const { badge, status, title, testId } = props;
  return (
    <span
      className={`jp-AtelierJobs-badge jp-AtelierJobs-badge-${badge.tone}`}
      data-testid={testId}
      data-status={status}
      title={title ?? badge.label}
    >
      {badge.label}
    </span>
  );
}
