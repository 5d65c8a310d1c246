import { ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { IJobsApi } from './api';
import { NewJobForm } from './components/NewJobForm';

/** The content of the "New training job" main area tab. */
export class NewJobWidget extends ReactWidget {
  constructor(private _options: NewJobWidget.IOptions) {
    super();
    this.addClass('jp-AtelierJobs-formWidget');
  }

  render(): JSX.Element {
    return (
      <NewJobForm
        api={this._options.api}
        sourceDir={this._options.sourceDir}
        onCreated={this._options.onCreated}
      />
    );
  }
}

export namespace NewJobWidget {
  export interface IOptions {
    api: IJobsApi;
    sourceDir: string;
    onCreated: (name: string) => void;
  }
}
