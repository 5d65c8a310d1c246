import * as React from 'react';

export interface ISidebarListToolbarProps {
  /** The heading, e.g. "Jobs". */
  title: string;
  /** The heading's id: the list is labelled by it. */
  titleId: string;
  count: number;
  /** The count's accessible name, e.g. "Job count". */
  countLabel: string;
  /** The refresh button's accessible name, e.g. "Refresh jobs". */
  refreshLabel: string;
  refreshTestId: string;
  onRefresh: () => Promise<void>;
  /** More actions after Refresh. */
  children?: React.ReactNode;
}

/** The head of a sidebar list: its title with the count, Refresh, then the panel's own actions. */
export function SidebarListToolbar(
  props: ISidebarListToolbarProps
): JSX.Element {
  const [refreshing, setRefreshing] = React.useState(false);
  return (
    <div className="jp-AtelierJobs-toolbar">
      <h2 className="jp-AtelierJobs-title" id={props.titleId}>
        {props.title}
        <span className="jp-AtelierJobs-count" aria-label={props.countLabel}>
          {props.count}
        </span>
      </h2>
      <button
        type="button"
        className="jp-AtelierJobs-button"
        data-testid={props.refreshTestId}
        aria-label={props.refreshLabel}
        title={props.refreshLabel}
        disabled={refreshing}
        onClick={() => {
          setRefreshing(true);
          void props.onRefresh().finally(() => setRefreshing(false));
        }}
      >
        Refresh
      </button>
      {props.children}
    </div>
  );
}

export interface ISidebarListRowProps {
  testId: string;
  /** What opening the row does, said as its open button's accessible name and title. */
  label: string;
  /** `data-*` attributes of the row (without the prefix). */
  data: Record<string, string | undefined>;
  onOpen: () => void;
  /** What the open button shows: the item's name. */
  name: React.ReactNode;
  /** Shown after the name on the first line, such as a status badge. */
  badge?: React.ReactNode;
  /** The row's own buttons (Clone...), siblings of the open button. */
  actions?: React.ReactNode;
  /** Why the item failed, shown on its last line. */
  failureReason?: string | null;
  /** The lines after the first. */
  children?: React.ReactNode;
}

/**
 * One item of a sidebar list. Its name is a button (Enter or Space opens the
 * item, Tab moves on to the row's actions); the button's hit area covers the
 * whole row, so a click anywhere opens it too, while the actions are buttons
 * of their own beside it, never inside it.
 */
export function SidebarListRow(props: ISidebarListRowProps): JSX.Element {
  const data: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(props.data)) {
    data[`data-${key}`] = value;
  }
  return (
    <li className="jp-AtelierJobs-row" data-testid={props.testId} {...data}>
      <div className="jp-AtelierJobs-rowHeader">
        <button
          type="button"
          className="jp-AtelierJobs-rowOpen"
          aria-label={props.label}
          title={props.label}
          onClick={props.onOpen}
        >
          {props.name}
        </button>
        {props.badge}
        {props.actions && (
          <span className="jp-AtelierJobs-rowActions">{props.actions}</span>
        )}
      </div>
      {props.children}
      {props.failureReason && (
        <div className="jp-AtelierJobs-rowFailure" title={props.failureReason}>
          {props.failureReason}
        </div>
      )}
    </li>
  );
}

/** A creation time of a row, relative to now, the full time on hover. */
export function RowTime(props: {
  time: string;
  now: number;
  format: (time: string, now: number) => string;
}): JSX.Element {
  return (
    <time dateTime={props.time} title={new Date(props.time).toLocaleString()}>
      {props.format(props.time, props.now)}
    </time>
  );
}
