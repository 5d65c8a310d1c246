import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { Kernel, Session } from '@jupyterlab/services';
import * as React from 'react';

import { IKernelRow } from '../tokens';
import { messageOf } from './client';
import { ShutdownAllBody } from './components/ShutdownAllBody';
import { IRunningActions } from './components/RunningView';
import {
  shutdownAllLines,
  shutdownAllSummary,
  shutdownOneText
} from './format';
import { RunningModel } from './model';

export interface IActionsOptions {
  model: RunningModel;
  /** Fetch the list again (socket-independent). */
  refresh: () => Promise<void>;
  /** JupyterLab's kernel manager: shutting down goes through it. */
  kernels: Kernel.IManager;
  /** JupyterLab's session manager, refreshed after a shutdown. */
  sessions?: Session.IManager;
}

/** Show an error as a JupyterLab notification. */
export function notifyError(prefix: string, error: unknown): void {
  Notification.error(`${prefix}: ${messageOf(error)}`, { autoClose: 8000 });
}

/** The actions of the Running panel: confirm, shut down, refresh. */
export function createActions(options: IActionsOptions): IRunningActions {
  const { model, kernels, sessions } = options;

  const refresh = async (): Promise<void> => {
    try {
      await options.refresh();
    } catch (error) {
      notifyError('Could not list the running kernels', error);
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

  const shutdown = async (row: IKernelRow): Promise<void> => {
    const result = await showDialog({
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
    const result = await showDialog({
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

  return { refresh, shutdown, shutdownAll };
}
