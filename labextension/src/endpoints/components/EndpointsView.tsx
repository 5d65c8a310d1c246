import * as React from 'react';

import { SidebarListToolbar } from '../../components/SidebarList';
import { EndpointsListModel } from '../listModel';
import { EndpointRow } from './EndpointRow';

export interface IEndpointsViewProps {
  model: EndpointsListModel;
  now: number;
  onOpen: (name: string) => void;
  onRefresh: () => Promise<void>;
}

/** The Endpoints panel: header, then the list or how to deploy one. */
export function EndpointsView(props: IEndpointsViewProps): JSX.Element {
  const { model, now, onOpen, onRefresh } = props;
  const endpoints = model.endpoints;
  return (
    <div className="jp-AtelierJobs-view">
      <SidebarListToolbar
        title="Endpoints"
        titleId="atelier-endpoints-title"
        count={endpoints.length}
        countLabel="Endpoint count"
        refreshLabel="Refresh endpoints"
        refreshTestId="endpoints-refresh"
        onRefresh={onRefresh}
      />
      {model.error && (
        <p className="jp-AtelierJobs-error" role="alert">
          Cannot list endpoints: {model.error}
        </p>
      )}
      {endpoints.length > 0 ? (
        <ul
          className="jp-AtelierJobs-list"
          data-testid="endpoints-list"
          aria-labelledby="atelier-endpoints-title"
        >
          {endpoints.map(endpoint => (
            <EndpointRow
              key={endpoint.EndpointName}
              endpoint={endpoint}
              now={now}
              onOpen={onOpen}
            />
          ))}
        </ul>
      ) : model.loaded ? (
        <p className="jp-AtelierJobs-empty" data-testid="endpoints-empty">
          No endpoints yet. Open a Completed training job in the Jobs panel and
          press Deploy to serve its model.
        </p>
      ) : (
        !model.error && (
          <p className="jp-AtelierJobs-empty">Loading endpoints…</p>
        )
      )}
    </div>
  );
}
