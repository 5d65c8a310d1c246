import { ReactWidget } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { EndpointsView } from './components/EndpointsView';
import { EndpointsFeed } from './feed';
import { EndpointsListModel } from './listModel';

/** How often relative times ("3 min ago") advance, in ms. */
const TICK_INTERVAL = 30000;

/** The Endpoints panel of the left sidebar, live from the event stream. */
export class EndpointsPanel extends ReactWidget {
  constructor(options: EndpointsPanel.IOptions) {
    super();
    this.model = options.model;
    this._feed = options.feed;
    this._onOpen = options.onOpen;
    this.addClass('jp-AtelierJobs');
    this.addClass('jp-AtelierEndpoints');
    this.model.changed.connect(() => this.update(), this);
  }

  readonly model: EndpointsListModel;

  render(): JSX.Element {
    return (
      <EndpointsView
        model={this.model}
        now={this._now}
        onOpen={this._onOpen}
        onRefresh={() => this._feed.refresh()}
      />
    );
  }

  dispose(): void {
    this._stop();
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this.isVisible) {
      this._start();
    }
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._start();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._stop();
  }

  protected onBeforeDetach(msg: Message): void {
    this._stop();
    super.onBeforeDetach(msg);
  }

  private _start(): void {
    this._feed.show();
    if (this._timer === undefined) {
      this._timer = setInterval(() => {
        this._now = Date.now();
        this.update();
      }, TICK_INTERVAL);
    }
  }

  private _stop(): void {
    this._feed.hide();
    if (this._timer !== undefined) {
      clearInterval(this._timer);
      this._timer = undefined;
    }
  }

  private _feed: EndpointsFeed;
  private _onOpen: (name: string) => void;
  private _now = Date.now();
  private _timer: ReturnType<typeof setInterval> | undefined;
}

export namespace EndpointsPanel {
  export interface IOptions {
    model: EndpointsListModel;
    feed: EndpointsFeed;
    onOpen: (name: string) => void;
  }
}
