import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';

import { IAtelierEvents } from '../events/tokens';
import { createJobsApi } from './api';
import { EMPTY_FILTERS } from './filters';
import { FinishedJobs, IJobNotice } from './finishedJobs';
import { JobCommandIDs } from './tokens';

/**
 * A job that completes, fails or is stopped while the page watches it is
 * announced through JupyterLab's notifications, wherever the user is, with
 * an action that opens the job's tab.
 */
export const jobNotificationsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@atelier/labextension:job-notifications',
  description: 'Atelier: notifications when a job completes, fails or stops.',
  autoStart: true,
  requires: [IAtelierEvents],
  activate: (app: JupyterFrontEnd, events: IAtelierEvents): void => {
    const api = createJobsApi(ServerConnection.makeSettings());
    const jobs = new FinishedJobs();
    const show = (notice: IJobNotice | null): void => {
      if (!notice) {
        return;
      }
      Notification.emit(notice.message, notice.type, {
        autoClose: notice.type === 'error' ? false : 10000,
        actions: [
          {
            label: 'Open job',
            caption: `Open the tab of job ${notice.name}`,
            callback: () =>
              void app.commands.execute(JobCommandIDs.openJob, {
                kind: notice.kind,
                name: notice.name
              })
          }
        ]
      });
    };
    // The list seeds the jobs already running; after a drop it tells which of them ended meanwhile.
    const sync = (): void => {
      api
        .listJobs(EMPTY_FILTERS)
        .then(list => list.forEach(job => show(jobs.observe(job))))
        .catch(() => undefined);
    };
    events.frame('job').connect((_, frame) => show(jobs.observe(frame.job)));
    events.reconnected.connect(sync);
    events.acquire();
    sync();
  }
};
