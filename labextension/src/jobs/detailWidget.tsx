import { Dialog, ReactWidget } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { DownloadTarget } from '../objects/client';
import { IJobsApi } from './api';
import { JobDetailView } from './components/JobDetailView';
import { ObjectListBody } from './components/ObjectListBody';
import { JobDetailModel } from './detailModel';
import { isActive, isTerminal } from './format';
import { notifyError } from '../notify';
import { IJobDeployer, IRunOpener } from './runLink';
import { IJobDescription } from './tokens';
import { IAtelierEvents } from '../events/tokens';
import { IDebuggerClient } from './debugger/client';
import { DebuggerModel } from './debugger/model';
import { hasDebugger } from './debugger/shape';

/** The content of a job's main area tab. */
export class JobDetailWidget extends ReactWidget {
  constructor(options: {
    model: JobDetailModel;
    api: IJobsApi;
    /** Open a new job's form filled from the described job. */
    onClone: (job: IJobDescription) => void;
    /** JupyterLab's theme changes (IThemeManager.themeChanged), where there is a theme manager. */
    themeChanged?: ISignal<unknown, unknown>;
    /** Opens the job's run in the Experiments panel. */
    runOpener?: IRunOpener;
    /** Deploys a Completed training job's model, when the Endpoints panel is there. */
    deployer?: IJobDeployer;
    /** The debugger routes: a training job with debugger config gets a Debugger section. */
    debuggerClient?: IDebuggerClient;
    /** The page's event stream (live rule statuses). */
    events?: IAtelierEvents;
  }) {
    super();
    this._debuggerClient = options.debuggerClient;
    this._events = options.events;
    this._deployer = options.deployer;
    this._runOpener = options.runOpener;
    this.model = options.model;
    this._api = options.api;
    this._onClone = options.onClone;
    this.addClass('jp-AtelierJobs-detailWidget');
    this.model.changed.connect(() => {
      this._ensureDebugger();
      this.update();
    }, this);
    this.model.logsChanged.connect(() => {
      this._logVersion++;
      this.update();
    }, this);
    options.themeChanged?.connect(() => {
      this._themeVersion++;
      this.update();
    }, this);
  }

  readonly model: JobDetailModel;

  render(): JSX.Element {
    return (
      <JobDetailView
        model={this.model}
        api={this._api}
        now={this._now}
        logVersion={this._logVersion}
        stopping={this._stopping}
        onStop={() => void this.stop()}
        onClone={() => {
          if (this.model.description) {
            this._onClone(this.model.description);
          }
        }}
        onList={uri => void this.listObjects(uri)}
        onDownload={target => this.download(target)}
        themeVersion={this._themeVersion}
        debugger={this._debugger}
        debuggerVersion={this._debugger?.version}
        runOpener={this._runOpener}
        onDeploy={
          this._deployer?.available()
            ? () => this._deployer?.deploy(this.model.name)
            : undefined
        }
      />
    );
  }

  /** Confirm, then stop the job. */
  async stop(): Promise<void> {
    const name = this.model.name;
    const dialog = new Dialog({
      title: `Stop job ${name}?`,
      body: 'The container gets SIGTERM, then SIGKILL after 120 s. Its outputs are still uploaded; the job ends Stopped.',
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Stop job' })]
    });
    const result = await dialog.launch();
    if (!result.button.accept) {
      return;
    }
    this._stopping = true;
    this.update();
    try {
      await this.model.stop();
    } catch (error) {
      notifyError(`Could not stop job ${name}`, error);
    } finally {
      this._stopping = false;
      this.update();
    }
  }

  /**
   * Show the objects whose key starts with the URI in a dialog: what an
   * S3Prefix channel stages, the objects of a folder, or a file itself.
   */
  async listObjects(uri: string): Promise<void> {
    const prefix = uri;
    const dialog = new Dialog({
      title: `Objects under ${prefix}`,
      body: (
        <ObjectListBody
          prefix={prefix}
          load={() => this._api.listObjects(prefix)}
          objectURL={this._api.objectURL}
          onDownload={target => this.download(target)}
        />
      ),
      buttons: [Dialog.okButton({ label: 'Close' })]
    });
    dialog.node.setAttribute('aria-label', `Objects under ${prefix}`);
    await dialog.launch();
  }

  /** Download an object, or a folder as a zip, through a short-lived ticket. */
  download(target: DownloadTarget): void {
    const what = 'uri' in target ? target.uri : `${target.prefix} as a zip`;
    void this._api
      .download(target)
      .catch(error => notifyError(`Could not download ${what}`, error));
  }

  /** The debugger model, made once the description shows debugger or profiler config. */
  private _ensureDebugger(): void {
    if (
      this._debugger ||
      !this._debuggerClient ||
      this.model.kind !== 'training' ||
      !hasDebugger(
        this.model.description as unknown as Record<string, unknown> | null
      )
    ) {
      return;
    }
    this._debugger = new DebuggerModel({
      name: this.model.name,
      client: this._debuggerClient,
      events: this._events
    });
    this._debugger.changed.connect(() => this.update(), this);
    if (this.isVisible) {
      this._startDebugger();
    }
  }

  private _startDebugger(): void {
    this._debugger?.start(() => isTerminal(this.model.status));
  }

  dispose(): void {
    this._debugger?.dispose();
    this._stopTicking();
    this.model.dispose();
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._resume();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this.isVisible) {
      this._resume();
    }
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.pause();
    this._debugger?.stop();
    this._stopTicking();
  }

  protected onBeforeDetach(msg: Message): void {
    this.model.pause();
    this._debugger?.stop();
    this._stopTicking();
    super.onBeforeDetach(msg);
  }

  private _resume(): void {
    this.model.resume();
    this._startDebugger();
    if (this._timer === undefined) {
      this._timer = setInterval(() => {
        this._now = Date.now();
        if (isActive(this.model.status)) {
          this.update();
        }
      }, 1000);
    }
  }

  private _stopTicking(): void {
    if (this._timer !== undefined) {
      clearInterval(this._timer);
      this._timer = undefined;
    }
  }

  private _api: IJobsApi;
  private _debuggerClient: IDebuggerClient | undefined;
  private _events: IAtelierEvents | undefined;
  private _debugger: DebuggerModel | null = null;
  private _onClone: (job: IJobDescription) => void;
  private _runOpener: IRunOpener | undefined;
  private _deployer: IJobDeployer | undefined;
  private _now = Date.now();
  private _logVersion = 0;
  private _themeVersion = 0;
  private _stopping = false;
  private _timer: ReturnType<typeof setInterval> | undefined;
}
