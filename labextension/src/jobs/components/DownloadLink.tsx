import * as React from 'react';

import { DownloadTarget } from '../../objects/client';

export interface IDownloadLinkProps {
  /** The object's URL (no token: a browser's download goes through a ticket). */
  href: string;
  uri: string;
  onDownload: (target: DownloadTarget) => void;
  children: React.ReactNode;
  className?: string;
}

/**
 * A link that downloads one object: a click asks for a short-lived ticket
 * and follows it, so the server's token is never in a URL the browser keeps.
 */
export function DownloadLink(props: IDownloadLinkProps): JSX.Element {
  return (
    <a
      className={props.className}
      href={props.href}
      download
      title={`Download ${props.uri}`}
      onClick={event => {
        event.preventDefault();
        props.onDownload({ uri: props.uri });
      }}
    >
      {props.children}
    </a>
  );
}
