import * as React from 'react';

import { IInstanceRow, IKernelRow } from '../tokens';
import { InstancesModel } from '../instancesModel';
import { RunningModel } from '../model';
import { DockerNotice } from './DockerNotice';
import { FeedStatusLine } from './FeedStatusLine';
import { InstanceList } from './InstanceList';
import { KernelList } from './KernelList';
import { SectionHeader } from './SectionHeader';
import { IUsageApi } from '../../usage/api';
import { IdlePolicySection } from '../../usage/components/IdlePolicySection';
import { UsageSection } from '../../usage/components/UsageSection';
import { instancesKey, meteredInstances } from '../../usage/usageFormat';

/** What the panel's buttons do; each resolves when the action is over. */
export interface IRunningActions {
  refresh(): Promise<void>;
  shutdown(row: IKernelRow): Promise<void>;
  shutdownAll(): Promise<void>;
  shutdownInstance(row: IInstanceRow): Promise<void>;
  shutdownAllInstances(): Promise<void>;
}

export interface IRunningViewProps {
  model: RunningModel;
  instances: InstancesModel;
  actions: IRunningActions;
  /** The usage and idle shutdown sections' server calls (none: no sections). */
  usage?: IUsageApi;
}

/**
 * Ids of rows whose action is in flight, and a runner that marks a row
 * while its action runs.
 */
function useInFlight<T extends { id: string }>(
  action: (row: T) => Promise<void>
): [ReadonlySet<string>, (row: T) => void] {
  const [ids, setIds] = React.useState<ReadonlySet<string>>(new Set());
  const start = React.useCallback(
    (row: T) => {
      setIds(old => new Set(old).add(row.id));
      void action(row).finally(() =>
        setIds(old => {
          const next = new Set(old);
          next.delete(row.id);
          return next;
        })
      );
    },
    [action]
  );
  return [ids, start];
}

/** A flag that is true while an action runs, and the runner. */
function useBusy(action: () => Promise<void>): [boolean, () => void] {
  const [busy, setBusy] = React.useState(false);
  const start = React.useCallback(() => {
    setBusy(true);
    void action().finally(() => setBusy(false));
  }, [action]);
  return [busy, start];
}

/**
 * The whole Running panel: update status, then the "Running instances" and
 * "Kernel sessions" sections, each with its toolbar and list; then "Usage"
 * and "Idle shutdown".
 */
export function RunningView(props: IRunningViewProps): JSX.Element {
  const { model, instances, actions, usage } = props;
  const [stopping, onShutdown] = useInFlight<IKernelRow>(actions.shutdown);
  const [stoppingInstances, onShutdownInstance] = useInFlight<IInstanceRow>(
    actions.shutdownInstance
  );
  const [refreshing, onRefresh] = useBusy(actions.refresh);
  const [stoppingAll, onShutdownAll] = useBusy(actions.shutdownAll);
  const [stoppingAllInstances, onShutdownAllInstances] = useBusy(
    actions.shutdownAllInstances
  );

  const rows = model.kernels;
  const instanceRows = instances.instances;
  return (
    <div className="jp-AtelierRunning-view">
      <FeedStatusLine status={model.feedStatus} error={model.feedError} />
      <section
        className="jp-AtelierRunning-section"
        aria-labelledby="atelier-instances-title"
      >
        <SectionHeader
          id="atelier-instances-title"
          title="Running instances"
          count={instanceRows.length}
          countLabel="Instance count"
          actionsLabel="Running instances actions"
        >
          <button
            type="button"
            className="jp-AtelierRunning-button jp-AtelierRunning-shutdownAll"
            aria-label="Shut down all instances"
            title="Shut down all instances"
            disabled={instanceRows.length === 0 || stoppingAllInstances}
            onClick={onShutdownAllInstances}
          >
            Shut down all
          </button>
        </SectionHeader>
        <DockerNotice notice={instances.dockerNotice} />
        {instances.error && (
          <p className="jp-AtelierRunning-feedError" role="alert">
            {instances.error}
          </p>
        )}
        {instanceRows.length > 0 ? (
          <InstanceList
            rows={instanceRows}
            stopping={stoppingInstances}
            onShutdown={onShutdownInstance}
          />
        ) : (
          <p className="jp-AtelierRunning-empty">
            {instances.loaded
              ? 'No instances are running.'
              : 'Loading instances…'}
          </p>
        )}
      </section>
      <section
        className="jp-AtelierRunning-section"
        aria-labelledby="atelier-running-title"
      >
        <SectionHeader
          id="atelier-running-title"
          title="Kernel sessions"
          count={rows.length}
          countLabel="Kernel count"
          actionsLabel="Kernel sessions actions"
        >
          <button
            type="button"
            className="jp-AtelierRunning-button"
            aria-label="Refresh kernels"
            title="Refresh kernels and instances"
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
            disabled={rows.length === 0 || stoppingAll}
            onClick={onShutdownAll}
          >
            Shut down all
          </button>
        </SectionHeader>
        {rows.length > 0 ? (
          <KernelList rows={rows} stopping={stopping} onShutdown={onShutdown} />
        ) : (
          <p className="jp-AtelierRunning-empty">
            {model.loaded ? 'No kernels are running.' : 'Loading kernels…'}
          </p>
        )}
      </section>
      {usage && (
        <UsageSection
          api={usage}
          instancesKey={instancesKey(instanceRows)}
          running={meteredInstances(instanceRows)}
        />
      )}
      {usage && <IdlePolicySection api={usage} />}
    </div>
  );
}
