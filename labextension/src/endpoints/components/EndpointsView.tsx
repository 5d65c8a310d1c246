import * as React from 'react';

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
  const [refreshing, setRefreshing] = React.useState(false);
  const endpoints = model.endpoints;
  return (
    <div className="jp-AtelierJobs-view">
      <div className="jp-AtelierJobs-toolbar">
        <h2 className="jp-AtelierJobs-title" id="atelier-endpoints-title">
          Endpoints
          <span className="jp-AtelierJobs-count" aria-label="Endpoint count">
            {endpoints.length}
          </span>
        </h2>
        <button
          type="button"
          className="jp-AtelierJobs-button"
          data-testid="endpoints-refresh"
          aria-label="Refresh endpoints"
          title="Refresh endpoints"
          disabled={refreshing}
          onClick={() => {
            setRefreshing(true);
            void onRefresh().finally(() => setRefreshing(false));
          }}
        >
          Refresh
        </button>
      </div>
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
