import * as React from 'react';

import { DownloadTarget } from '../../objects/client';
import { IArtifactLink } from '../describe';
import { DownloadLink } from './DownloadLink';

export interface IArtifactLinksProps {
  title: string;
  testId: string;
  links: ReadonlyArray<IArtifactLink>;
  /** The URL that downloads an object. */
  objectURL: (uri: string) => string;
  /** Show the objects under a prefix. */
  onList: (uri: string) => void;
  /** Download an object, or a folder as a zip. */
  onDownload: (target: DownloadTarget) => void;
}

/**
 * Inputs or outputs: S3 URIs that download (an object itself, a folder as a
 * zip), or list what is under them.
 */
export function ArtifactLinks(props: IArtifactLinksProps): JSX.Element {
  const { title, testId, links, objectURL, onList, onDownload } = props;
  return (
    <section className="jp-AtelierJobs-section" aria-label={title}>
      <h3>{title}</h3>
      {links.length === 0 ? (
        <p className="jp-AtelierJobs-muted">None.</p>
      ) : (
        <ul className="jp-AtelierJobs-artifacts" data-testid={testId}>
          {links.map(link => (
            <li key={`${link.label}-${link.uri}`}>
              <span className="jp-AtelierJobs-artifactLabel">{link.label}</span>
              {link.prefix ? (
                <span className="jp-AtelierJobs-mono">{link.uri}</span>
              ) : (
                <DownloadLink
                  className="jp-AtelierJobs-mono"
                  href={objectURL(link.uri)}
                  uri={link.uri}
                  onDownload={onDownload}
                >
                  {link.uri}
                </DownloadLink>
              )}
              {link.prefix && (
                <button
                  type="button"
                  className="jp-AtelierJobs-linkButton"
                  aria-label={`Download ${link.uri} as a zip`}
                  title={`Download the objects under ${link.uri} as a zip`}
                  onClick={() => onDownload({ prefix: link.uri })}
                >
                  zip
                </button>
              )}
              <button
                type="button"
                className="jp-AtelierJobs-linkButton"
                aria-label={`List objects under ${link.uri}`}
                title={`List objects under ${link.uri}`}
                onClick={() => onList(link.uri)}
              >
                list
              </button>
              {link.localPath && (
                <span
                  className="jp-AtelierJobs-muted"
                  title="Path in the container"
                >
                  {link.localPath}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
