import { Dialog } from '@jupyterlab/apputils';
import { Kernel, Session } from '@jupyterlab/services';
import * as React from 'react';

import { IInstanceRow, IKernelRow } from './tokens';
import { notifyError, showNamedDialog } from '../notify';
import { ShutdownAllBody } from './components/ShutdownAllBody';
import { IRunningActions } from './components/RunningView';
import {
  shutdownAllLines,
  shutdownAllSummary,
  shutdownOneText
} from './format';
import {
  describeInstanceKernel,
  instanceLabel,
  shutdownAllInstancesSummary,
  shutdownInstanceSummary,
  shutdownInstancesLines
} from './instanceFormat';
import { InstancesModel } from './instancesModel';
import { RunningModel } from './model';

export interface IActionsOptions {
  model: RunningModel;
  instances: InstancesModel;
  /** Fetch the kernel list again (socket-independent). */
  refresh: () => Promise<void>;
  /** Fetch the instance list again. */
  refreshInstances: () => Promise<void>;
  /** JupyterLab's kernel manager: shutting down goes through it. */
  kernels: Kernel.IManager;
  /** JupyterLab's session manager, refreshed after a shutdown. */
  sessions?: Session.IManager;
  /** Stop an instance on the server (`DELETE instances/{id}`). */
  stopInstance: (id: string) => Promise<void>;
}

/** The actions of the Running panel: confirm, shut down, refresh. */
export function createActions(options: IActionsOptions): IRunningActions {
  const { model, instances, kernels, sessions } = options;
  const stopInstanceOnServer = options.stopInstance;

  const refresh = async (): Promise<void> => {
    const [kernelsResult, instancesResult] = await Promise.allSettled([
      options.refresh(),
      options.refreshInstances()
    ]);
    if (kernelsResult.status === 'rejected') {
      notifyError('Could not list the running kernels', kernelsResult.reason);
    }
    if (instancesResult.status === 'rejected') {
      notifyError(
        'Could not list the running instances',
        instancesResult.reason
      );
    }
  };

  const afterShutdown = async (): Promise<void> => {
    await Promise.all([
      refresh(),
      sessions?.refreshRunning().catch(() => undefined)
    ]);
  };

  const stop = async (row: IKernelRow): Promise<boolean> => {
    try {
      await kernels.shutdown(row.id);
      model.remove(row.id);
      return true;
    } catch (error) {
      notifyError(`Could not shut down kernel ${row.label}`, error);
      return false;
    }
  };

  /**
   * The instance itself: the server stops its kernels and marks them dead
   * with the reason, so every notebook on it says why its kernel ended and
   * Restart Kernel brings it back on a new instance.
   */
  const stopInstance = async (row: IInstanceRow): Promise<boolean> => {
    try {
      await stopInstanceOnServer(row.id);
      instances.remove(row.id);
      return true;
    } catch (error) {
      notifyError(`Could not shut down instance ${instanceLabel(row)}`, error);
      return false;
    }
  };

  const shutdown = async (row: IKernelRow): Promise<void> => {
    const result = await showNamedDialog({
      title: 'Shut down kernel?',
      body: shutdownOneText(row),
      buttons: [
        Dialog.cancelButton(),
        Dialog.warnButton({ label: 'Shut Down' })
      ]
    });
    if (!result.button.accept) {
      return;
    }
    await stop(row);
    await afterShutdown();
  };

  const shutdownAll = async (): Promise<void> => {
    const rows = [...model.kernels];
    if (rows.length === 0) {
      return;
    }
    const result = await showNamedDialog({
      title: 'Shut down all kernels?',
      body: (
        <ShutdownAllBody
          summary={shutdownAllSummary(rows.length)}
          lines={shutdownAllLines(rows)}
        />
      ),
      buttons: [
        Dialog.cancelButton(),
        Dialog.warnButton({ label: 'Shut Down All' })
      ]
    });
    if (!result.button.accept) {
      return;
    }
    await Promise.all(rows.map(stop));
    await afterShutdown();
  };

  const shutdownInstance = async (row: IInstanceRow): Promise<void> => {
    const result = await showNamedDialog({
      title: `Shut down instance ${instanceLabel(row)}?`,
      body: (
        <ShutdownAllBody
          summary={shutdownInstanceSummary(row)}
          lines={row.kernels.map(describeInstanceKernel)}
        />
      ),
      buttons: [
        Dialog.cancelButton(),
        Dialog.warnButton({ label: 'Shut Down Instance' })
      ]
    });
    if (!result.button.accept) {
      return;
    }
    await stopInstance(row);
    await afterShutdown();
  };

  const shutdownAllInstances = async (): Promise<void> => {
    const rows = [...instances.instances];
    if (rows.length === 0) {
      return;
    }
    const result = await showNamedDialog({
      title: 'Shut down all instances?',
      body: (
        <ShutdownAllBody
          summary={shutdownAllInstancesSummary(rows)}
          lines={shutdownInstancesLines(rows)}
          listLabel="Instances to shut down"
        />
      ),
      buttons: [
        Dialog.cancelButton(),
        Dialog.warnButton({ label: 'Shut Down All' })
      ]
    });
    if (!result.button.accept) {
      return;
    }
    await Promise.all(rows.map(stopInstance));
    await afterShutdown();
  };

  return {
    refresh,
    shutdown,
    shutdownAll,
    shutdownInstance,
    shutdownAllInstances
  };
}
