import * as React from 'react';

export interface ISectionHeaderProps {
  /** DOM id of the heading, which names the section. */
  id: string;
  title: string;
  count: number;
  /** Accessible name of the count, e.g. "Kernel count". */
  countLabel: string;
  /** Accessible name of the toolbar, e.g. "Kernel sessions actions". */
  actionsLabel: string;
  /** The toolbar's buttons. */
  children?: React.ReactNode;
}

/** A section's heading with its count, and its toolbar. */
export function SectionHeader(props: ISectionHeaderProps): JSX.Element {
  const { id, title, count, countLabel, actionsLabel, children } = props;
  return (
    <div className="jp-AtelierRunning-toolbar">
      <h2 className="jp-AtelierRunning-title" id={id}>
        {title}
        <span className="jp-AtelierRunning-count" aria-label={countLabel}>
          {count}
        </span>
      </h2>
      <div
        className="jp-AtelierRunning-actions"
        role="toolbar"
        aria-label={actionsLabel}
      >
        {children}
      </div>
    </div>
  );
}
