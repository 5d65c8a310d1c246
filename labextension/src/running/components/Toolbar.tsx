import * as React from 'react';

export interface IToolbarProps {
  count: number;
  refreshing: boolean;
  stoppingAll: boolean;
  onRefresh: () => void;
  onShutdownAll: () => void;
}

/** Heading with the kernel count, "Refresh" and "Shut down all". */
export function Toolbar(props: IToolbarProps): JSX.Element {
  const { count, refreshing, stoppingAll, onRefresh, onShutdownAll } = props;
  return (
    <div className="jp-AtelierRunning-toolbar">
      <h2 className="jp-AtelierRunning-title" id="atelier-running-title">
        Running kernels
        <span className="jp-AtelierRunning-count" aria-label="Kernel count">
          {count}
        </span>
      </h2>
      <div
        className="jp-AtelierRunning-actions"
        role="toolbar"
        aria-label="Running kernels actions"
      >
        <button
          type="button"
          className="jp-AtelierRunning-button"
          aria-label="Refresh kernels"
          title="Refresh kernels"
          disabled={refreshing}
          onClick={onRefresh}
        >
          Refresh
        </button>
        <button
          type="button"
          className="jp-AtelierRunning-button jp-AtelierRunning-shutdownAll"
          aria-label="Shut down all kernels"
          title="Shut down all kernels"
          disabled={count === 0 || stoppingAll}
          onClick={onShutdownAll}
        >
          Shut down all
        </button>
      </div>
    </div>
  );
}
