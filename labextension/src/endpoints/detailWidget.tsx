import { Dialog, ReactWidget } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { notifyError } from '../notify';
import { IEndpointsClient } from './client';
import { EndpointDetailView } from './components/EndpointDetailView';
import { EndpointDetailModel } from './detailModel';
import { isRollingOut } from './progress';
import { updateDialog } from './updateDialog';

/** The content of an endpoint's main area tab. */
export class EndpointDetailWidget extends ReactWidget {
  constructor(options: { model: EndpointDetailModel; api: IEndpointsClient }) {
    super();
    this.model = options.model;
    this._api = options.api;
    this.addClass('jp-AtelierJobs-detailWidget');
    this.addClass('jp-AtelierEndpoints-detailWidget');
    this.model.changed.connect(this._onChanged, this);
  }

  readonly model: EndpointDetailModel;

  render(): JSX.Element {
    return (
      <EndpointDetailView
        model={this.model}
        now={Date.now()}
        deleting={this._deleting}
        onDelete={() => void this.delete()}
        onUpdate={() => void updateDialog(this._api, this.model)}
        invoke={request => this._api.invoke(this.model.name, request)}
        onApplyWeights={desired =>
          this.model.updateWeightsAndCapacities(desired)
        }
      />
    );
  }

  /** Confirm with JupyterLab's dialog, then delete the endpoint. */
  async delete(): Promise<void> {
    const name = this.model.name;
    const result = await new Dialog({
      title: `Delete endpoint ${name}?`,
      body: 'Its instances are stopped and invocations are refused from now on. Its model and endpoint config are kept.',
      buttons: [
        Dialog.cancelButton(),
        Dialog.warnButton({ label: 'Delete endpoint' })
      ]
    }).launch();
    if (!result.button.accept) {
      return;
    }
    this._deleting = true;
    this.update();
    try {
      await this.model.delete();
    } catch (error) {
      notifyError(`Could not delete endpoint ${name}`, error);
    } finally {
      this._deleting = false;
      this.update();
    }
  }

  dispose(): void {
    this._tick(false);
    this.model.dispose();
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.resume();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this.isVisible) {
      this.model.resume();
    }
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.pause();
    this._tick(false);
  }

  protected onBeforeDetach(msg: Message): void {
    this.model.pause();
    this._tick(false);
    super.onBeforeDetach(msg);
  }

  /** Renders again; the time left in an update's phase ticks every second meanwhile. */
  private _onChanged(): void {
    this.update();
    this._tick(this.isVisible && isRollingOut(this.model.description));
  }

  private _tick(on: boolean): void {
    if (on && this._ticker === undefined) {
      this._ticker = setInterval(() => this.update(), 1000);
    } else if (!on && this._ticker !== undefined) {
      clearInterval(this._ticker);
      this._ticker = undefined;
    }
  }

  private _api: IEndpointsClient;
  private _deleting = false;
  private _ticker: ReturnType<typeof setInterval> | undefined;
}
