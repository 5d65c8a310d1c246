import * as React from 'react';

import { IKernelRow } from '../../tokens';
import { RunningModel } from '../model';
import { FeedStatusLine } from './FeedStatusLine';
import { KernelList } from './KernelList';
import { Toolbar } from './Toolbar';

/** What the panel's buttons do; each resolves when the action is over. */
export interface IRunningActions {
  refresh(): Promise<void>;
  shutdown(row: IKernelRow): Promise<void>;
  shutdownAll(): Promise<void>;
}

export interface IRunningViewProps {
  model: RunningModel;
  actions: IRunningActions;
}

/** The whole Running panel: toolbar, update status and the kernel list. */
export function RunningView(props: IRunningViewProps): JSX.Element {
  const { model, actions } = props;
  const [stopping, setStopping] = React.useState<ReadonlySet<string>>(
    new Set()
  );
  const [refreshing, setRefreshing] = React.useState(false);
  const [stoppingAll, setStoppingAll] = React.useState(false);

  const onShutdown = React.useCallback(
    (row: IKernelRow) => {
      setStopping(old => new Set(old).add(row.id));
      void actions.shutdown(row).finally(() =>
        setStopping(old => {
          const next = new Set(old);
          next.delete(row.id);
          return next;
        })
      );
    },
    [actions]
  );

  const onRefresh = React.useCallback(() => {
    setRefreshing(true);
    void actions.refresh().finally(() => setRefreshing(false));
  }, [actions]);

  const onShutdownAll = React.useCallback(() => {
    setStoppingAll(true);
    void actions.shutdownAll().finally(() => setStoppingAll(false));
  }, [actions]);

  const rows = model.kernels;
  return (
    <section
      className="jp-AtelierRunning-view"
      aria-labelledby="atelier-running-title"
    >
      <Toolbar
        count={rows.length}
        refreshing={refreshing}
        stoppingAll={stoppingAll}
        onRefresh={onRefresh}
        onShutdownAll={onShutdownAll}
      />
      <FeedStatusLine status={model.feedStatus} error={model.feedError} />
      {rows.length > 0 ? (
        <KernelList rows={rows} stopping={stopping} onShutdown={onShutdown} />
      ) : (
        <p className="jp-AtelierRunning-empty">
          {model.loaded ? 'No kernels are running.' : 'Loading kernels…'}
        </p>
      )}
    </section>
  );
}
