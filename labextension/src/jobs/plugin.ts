import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  IThemeManager,
  MainAreaWidget,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { ServerConnection } from '@jupyterlab/services';

import { IAtelierEvents } from '../events/tokens';
import { createJobsApi } from './api';
import { createDebuggerClient } from './debugger/client';
import { JobDetailModel } from './detailModel';
import { JobDetailWidget } from './detailWidget';
import { jobDeployer, runOpener } from './runLink';
import { notifyError } from '../notify';
import { NewTrainingJobWidget, NewProcessingJobWidget } from './formWidget';
import { atelierJobsIcon } from './icons';
import { JobsFeed } from './listFeed';
import { JobsListModel } from './listModel';
import { tabLabel } from './names';
import { JobsPanel } from './panel';
import { ATELIER_CATEGORY } from '../category';
import {
  JOBS_PANEL_ID,
  JOBS_PLUGIN_ID,
  IJobDescription,
  JobCommandIDs,
  JobKind
} from './tokens';

/**
 * The Jobs panel: training and processing jobs, live; a detail tab per job
 * (logs, metrics, timeline, inputs and outputs, stop); a new job form.
 */
export const jobsPlugin: JupyterFrontEndPlugin<void> = {
  id: JOBS_PLUGIN_ID,
  description: 'Atelier Jobs panel: training and processing jobs, live.',
  autoStart: true,
  requires: [IAtelierEvents],
  optional: [
    ILayoutRestorer,
    ICommandPalette,
    IDefaultFileBrowser,
    IThemeManager,
    ILauncher,
    IMainMenu
  ],
  activate: (
    app: JupyterFrontEnd,
    events: IAtelierEvents,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    fileBrowser: IDefaultFileBrowser | null,
    themes: IThemeManager | null,
    launcher: ILauncher | null,
    mainMenu: IMainMenu | null
  ): void => {
    const settings = ServerConnection.makeSettings();
    const api = createJobsApi(settings);
    const debuggerClient = createDebuggerClient(settings);
    const model = new JobsListModel();
    const feed = new JobsFeed({
      model,
      fetchJobs: filters => api.listJobs(filters),
      onError: error => notifyError('Atelier: cannot list jobs', error),
      events
    });
    const tracker = new WidgetTracker<MainAreaWidget<JobDetailWidget>>({
      namespace: 'atelier-job'
    });

    const openJob = (kind: JobKind, name: string): void => {
      const existing = tracker.find(
        w => w.content.model.kind === kind && w.content.model.name === name
      );
      if (existing) {
        app.shell.activateById(existing.id);
        return;
      }
      const content = new JobDetailWidget({
        model: new JobDetailModel({ api, kind, name }),
        api,
        onClone: job => newForm(kind, job),
        themeChanged: themes?.themeChanged,
        runOpener: runOpener(app.commands),
        deployer: jobDeployer(app.commands),
        debuggerClient,
        events
      });
      const widget = new MainAreaWidget({ content });
      widget.id = `atelier-job-${kind}-${name}`;
      // Short enough for a tab, keeping what tells jobs apart; the caption has the whole name.
      widget.title.label = tabLabel(name);
      widget.title.caption = `${kind === 'training' ? 'Training' : 'Processing'} job ${name}`;
      widget.title.icon = atelierJobsIcon;
      widget.title.closable = true;
      void tracker.add(widget);
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
    };

    /** A new job's form, filled from `from` when it is a clone. */
    const newForm = (kind: JobKind, from?: IJobDescription): void =>
      kind === 'processing' ? newProcessingJob(from) : newJob(from);

    /** Clone a listed job: its description fills the form. */
    const cloneJob = (kind: JobKind, name: string): void => {
      api
        .describe(kind, name)
        .then(job => newForm(kind, job))
        .catch(error => notifyError(`Cannot clone job ${name}`, error));
    };

    const newJob = (from?: IJobDescription): void => {
      let widget: MainAreaWidget<NewTrainingJobWidget> | null = null;
      const content = new NewTrainingJobWidget({
        api,
        sourceDir: fileBrowser?.model.path ?? '',
        from,
        onCreated: name => {
          widget?.dispose();
          void feed.refresh();
          openJob('training', name);
        }
      });
      widget = new MainAreaWidget({ content });
      widget.id = `atelier-new-training-job-${Date.now()}`;
      widget.title.label = 'New training job';
      widget.title.caption = from
        ? `Clone of training job ${from.TrainingJobName ?? ''}`
        : 'New training job';
      widget.title.icon = atelierJobsIcon;
      widget.title.closable = true;
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
    };

    const newProcessingJob = (from?: IJobDescription): void => {
      let widget: MainAreaWidget<NewProcessingJobWidget> | null = null;
      const content = new NewProcessingJobWidget({
        api,
        script: selectedPythonFile(fileBrowser),
        readFile: path => readNotebookFile(app, path),
        from,
        onCreated: name => {
          widget?.dispose();
          void feed.refresh();
          openJob('processing', name);
        }
      });
      widget = new MainAreaWidget({ content });
      widget.id = `atelier-new-processing-job-${Date.now()}`;
      widget.title.label = 'New processing job';
      widget.title.caption = from
        ? `Clone of processing job ${from.ProcessingJobName ?? ''}`
        : 'New processing job';
      widget.title.icon = atelierJobsIcon;
      widget.title.closable = true;
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
    };

    const panel = new JobsPanel({
      model,
      feed,
      onOpen: job => openJob(job.Kind, job.Name),
      onClone: job => cloneJob(job.Kind, job.Name),
      onNewJob: kind => newForm(kind)
    });
    panel.id = JOBS_PANEL_ID;
    panel.title.icon = atelierJobsIcon;
    panel.title.caption = 'Atelier: jobs';
    panel.disposed.connect(() => feed.dispose());
    // After the Running panel (rank 200).
    app.shell.add(panel, 'left', { rank: 210 });
    if (restorer) {
      restorer.add(panel, JOBS_PANEL_ID);
      void restorer.restore(tracker, {
        command: JobCommandIDs.openJob,
        args: w => ({ kind: w.content.model.kind, name: w.content.model.name }),
        name: w => `${w.content.model.kind}/${w.content.model.name}`
      });
    }

    // Instance types for the filter; the panel works without them.
    api
      .instanceTypes()
      .then(body => {
        panel.instanceTypes = (body?.instance_types ?? []).map(t => t.name);
      })
      .catch(() => undefined);

    app.commands.addCommand(JobCommandIDs.open, {
      label: 'Show Jobs',
      caption: 'Atelier: training and processing jobs',
      execute: () => app.shell.activateById(JOBS_PANEL_ID)
    });
    app.commands.addCommand(JobCommandIDs.openJob, {
      label: args => `Open Job ${(args.name as string) ?? ''}`.trim(),
      execute: args => {
        const kind = args.kind === 'processing' ? 'processing' : 'training';
        if (typeof args.name === 'string' && args.name) {
          openJob(kind, args.name);
        }
      }
    });
    app.commands.addCommand(JobCommandIDs.cloneJob, {
      label: args => `Clone Job ${(args.name as string) ?? ''}`.trim(),
      caption: 'Atelier: a new job filled from a job',
      execute: args => {
        const kind = args.kind === 'processing' ? 'processing' : 'training';
        if (typeof args.name === 'string' && args.name) {
          cloneJob(kind, args.name);
        }
      }
    });
    app.commands.addCommand(JobCommandIDs.newJob, {
      label: args =>
        args.isLauncher
          ? 'Training Job'
          : args.isMenu
            ? 'Training Job…'
            : 'New Training Job…',
      caption: 'Atelier: create a training job',
      icon: args => (args.isPalette ? undefined : atelierJobsIcon),
      execute: () => newJob()
    });
    app.commands.addCommand(JobCommandIDs.newProcessingJob, {
      label: args =>
        args.isLauncher
          ? 'Processing Job'
          : args.isMenu
            ? 'Processing Job…'
            : 'New Processing Job…',
      caption: 'Atelier: run a script or command on data from S3',
      icon: args => (args.isPalette ? undefined : atelierJobsIcon),
      execute: () => newProcessingJob()
    });
    // The Launcher's Atelier section and File > New, beside a notebook on an instance.
    const starters = [JobCommandIDs.newJob, JobCommandIDs.newProcessingJob];
    starters.forEach((command, i) =>
      launcher?.add({
        command,
        args: { isLauncher: true },
        category: ATELIER_CATEGORY,
        rank: 10 + i
      })
    );
    mainMenu?.fileMenu.newMenu.addGroup(
      starters.map(command => ({ command, args: { isMenu: true } })),
      40
    );
    app.commands.addCommand(JobCommandIDs.refresh, {
      label: 'Refresh Jobs',
      execute: () => feed.refresh()
    });
    if (palette) {
      for (const command of [
        JobCommandIDs.open,
        JobCommandIDs.newJob,
        JobCommandIDs.newProcessingJob,
        JobCommandIDs.refresh
      ]) {
        palette.addItem({ command, category: ATELIER_CATEGORY });
      }
    }
  }
};

/** The Python file selected in the file browser, or "". */
function selectedPythonFile(fileBrowser: IDefaultFileBrowser | null): string {
  const item = fileBrowser?.selectedItems().next();
  const model = item && !item.done ? item.value : undefined;
  return model?.type === 'file' && model.path.endsWith('.py') ? model.path : '';
}

/** A file of the notebook root, as bytes. */
async function readNotebookFile(
  app: JupyterFrontEnd,
  path: string
): Promise<Blob> {
  const model = await app.serviceManager.contents.get(path, {
    content: true,
    format: 'base64'
  });
  if (model.type === 'directory') {
    throw new Error(`${path} is a folder`);
  }
  const text = atob(String(model.content ?? '').replace(/\s+/g, ''));
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    bytes[i] = text.charCodeAt(i);
  }
  return new Blob([bytes]);
}
