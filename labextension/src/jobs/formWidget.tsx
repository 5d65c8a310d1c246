import { ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { IJobsApi } from './api';
import { NewTrainingJobForm } from './components/NewTrainingJobForm';
import { NewProcessingJobForm } from './components/NewProcessingJobForm';
import { IJobDescription } from './tokens';

/** The content of the "New training job" main area tab. */
export class NewTrainingJobWidget extends ReactWidget {
  constructor(private _options: NewTrainingJobWidget.IOptions) {
    super();
    this.addClass('jp-AtelierJobs-formWidget');
  }

  render(): JSX.Element {
    return (
      <NewTrainingJobForm
        api={this._options.api}
        sourceDir={this._options.sourceDir}
        from={this._options.from}
        onCreated={this._options.onCreated}
      />
    );
  }
}

export namespace NewTrainingJobWidget {
  export interface IOptions {
    api: IJobsApi;
    sourceDir: string;
    /** The job a clone is filled from. */
    from?: IJobDescription;
    onCreated: (name: string) => void;
  }
}

/** The content of the "New processing job" main area tab. */
export class NewProcessingJobWidget extends ReactWidget {
  constructor(private _options: NewProcessingJobWidget.IOptions) {
    super();
    this.addClass('jp-AtelierJobs-formWidget');
  }

  render(): JSX.Element {
    return (
      <NewProcessingJobForm
        api={this._options.api}
        script={this._options.script}
        readFile={this._options.readFile}
        from={this._options.from}
        onCreated={this._options.onCreated}
      />
    );
  }
}

export namespace NewProcessingJobWidget {
  export interface IOptions {
    api: IJobsApi;
    /** A Python file to start with (the file browser's selection), or "". */
    script: string;
    readFile: (path: string) => Promise<Blob>;
    /** The job a clone is filled from. */
    from?: IJobDescription;
    onCreated: (name: string) => void;
  }
}
