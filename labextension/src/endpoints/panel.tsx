import * as React from 'react';

import { LiveSidebarPanel } from '../components/LiveSidebarPanel';
import { EndpointsView } from './components/EndpointsView';
import { EndpointsFeed } from './feed';
import { EndpointsListModel } from './listModel';

/** How often relative times ("3 min ago") advance, in ms. */
const TICK_INTERVAL = 30000;

/** The Endpoints panel of the left sidebar, live from the event stream. */
export class EndpointsPanel extends LiveSidebarPanel {
  constructor(options: EndpointsPanel.IOptions) {
    super(options.feed, TICK_INTERVAL);
    this.model = options.model;
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
        onRefresh={() => this.feed.refresh()}
      />
    );
  }

  protected onTick(): void {
    this._now = Date.now();
    this.update();
  }

  private _onOpen: (name: string) => void;
  private _now = Date.now();
}

export namespace EndpointsPanel {
  export interface IOptions {
    model: EndpointsListModel;
    feed: EndpointsFeed;
    onOpen: (name: string) => void;
  }
}
