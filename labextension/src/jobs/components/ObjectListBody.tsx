import * as React from 'react';

import { formatBytes, formatTime } from '../format';
import { DownloadTarget } from '../../objects/client';
import { IObjectListing } from '../../objects/tokens';
import { DownloadLink } from './DownloadLink';

export interface IObjectListBodyProps {
  prefix: string;
  load: () => Promise<IObjectListing>;
  objectURL: (uri: string) => string;
  onDownload: (target: DownloadTarget) => void;
}

/** The objects under a prefix, each a download link (a dialog's body). */
export function ObjectListBody(props: IObjectListBodyProps): JSX.Element {
  const [listing, setListing] = React.useState<IObjectListing | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  React.useEffect(() => {
    props
      .load()
      .then(setListing)
      .catch(e => setError(e instanceof Error ? e.message : String(e)));
  }, [props.prefix]);
  if (error) {
    return (
      <p className="jp-AtelierJobs-error" role="alert">
        Cannot list {props.prefix}: {error}
      </p>
    );
  }
  if (!listing) {
    return <p className="jp-AtelierJobs-muted">Listing {props.prefix}…</p>;
  }
  if (listing.objects.length === 0) {
    return (
      <p className="jp-AtelierJobs-muted">No objects under {props.prefix}.</p>
    );
  }
  return (
    <div className="jp-AtelierJobs-objects" data-testid="job-objects">
      <table className="jp-AtelierJobs-table">
        <thead>
          <tr>
            <th scope="col">Object</th>
            <th scope="col">Size</th>
            <th scope="col">Modified</th>
          </tr>
        </thead>
        <tbody>
          {listing.objects.map(o => (
            <tr key={o.uri}>
              <td>
                <DownloadLink
                  href={props.objectURL(o.uri)}
                  uri={o.uri}
                  onDownload={props.onDownload}
                >
                  {o.key}
                </DownloadLink>
              </td>
              <td>{formatBytes(o.size)}</td>
              <td>{formatTime(o.last_modified)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {listing.truncated && (
        <p className="jp-AtelierJobs-muted">
          Only the first objects are listed.
        </p>
      )}
    </div>
  );
}
