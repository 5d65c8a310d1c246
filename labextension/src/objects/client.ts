import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API_NAMESPACE, errorMessage, requestAPI } from '../handler';
import { IHealthResponse, IObjectListing } from './tokens';

/** The objects API: browse and send objects of the object store (S3). */
export interface IObjectsClient {
  /** `GET health`: its `object_store` names the default bucket. */
  health(): Promise<IHealthResponse>;
  /** `GET objects/list?prefix=`. */
  listObjects(prefix: string): Promise<IObjectListing>;
  /** Upload a file body to an S3 URI, reporting bytes sent. */
  uploadObject(
    uri: string,
    body: Blob,
    onProgress?: (done: number, total: number) => void
  ): Promise<void>;
  /**
   * The URL of an object (for links): it carries no token, so it serves
   * callers that send one in a header; a browser's download goes through
   * {@link download}.
   */
  objectURL(uri: string): string;
  /** `POST objects/tickets`: a short-lived download ticket for one object or a folder (a zip). */
  downloadTicket(target: DownloadTarget): Promise<IDownloadTicket>;
  /**
   * Download an object, or a folder as a zip, in the browser: a ticket,
   * then a link to `objects/download?ticket=`, so that the token never lands
   * in the download history.
   */
  download(target: DownloadTarget): Promise<void>;
}

/** What a download names: one object, or a folder (an S3 prefix, downloaded as a zip). */
export type DownloadTarget = { uri: string } | { prefix: string };

/** Body of `POST objects/tickets`. */
export interface IDownloadTicket {
  ticket: string;
  /** The download's path on the server's own listener. */
  url: string;
  /** When the ticket stops working (60 s after it was issued). */
  expires_at: string;
  /** The name the download is saved as. */
  file_name: string;
}

/** Start a download of `url` in the browser, saved as `fileName`. */
export function followDownload(url: string, fileName: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
}

/** The `_xsrf` cookie JupyterLab sends back on writes. */
function xsrfToken(): string | null {
  const match = /(?:^|;\s*)_xsrf=([^;]*)/.exec(document.cookie ?? '');
  return match ? decodeURIComponent(match[1]) : null;
}

/** The objects API over `{baseUrl}atelier/api/`. */
export function createObjectsClient(
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): IObjectsClient {
  const downloadTicket = (target: DownloadTarget): Promise<IDownloadTicket> =>
    requestAPI<IDownloadTicket>(
      'objects/tickets',
      { method: 'POST', body: JSON.stringify(target) },
      settings
    );
  return {
    health: () => requestAPI<IHealthResponse>('health', {}, settings),
    listObjects: prefix =>
      requestAPI<IObjectListing>(
        `objects/list?prefix=${encodeURIComponent(prefix)}`,
        {},
        settings
      ),
    uploadObject: (uri, body, onProgress) =>
      new Promise<void>((resolve, reject) => {
        // XMLHttpRequest, not fetch: only it reports upload progress.
        const url = URLExt.join(
          settings.baseUrl,
          API_NAMESPACE,
          `objects?uri=${encodeURIComponent(uri)}`
        );
        const xhr = new XMLHttpRequest();
        xhr.open('PUT', url);
        if (settings.token) {
          xhr.setRequestHeader('Authorization', `token ${settings.token}`);
        }
        const xsrf = xsrfToken();
        if (xsrf) {
          xhr.setRequestHeader('X-XSRFToken', xsrf);
        }
        xhr.setRequestHeader(
          'Content-Type',
          body.type || 'application/octet-stream'
        );
        xhr.upload.onprogress = event =>
          onProgress?.(
            event.loaded,
            event.lengthComputable ? event.total : body.size
          );
        xhr.onerror = () =>
          reject(
            new Error(
              `Could not upload to ${uri}: the server cannot be reached`
            )
          );
        xhr.onload = () => {
          if (xhr.status >= 200 && xhr.status < 300) {
            onProgress?.(body.size, body.size);
            resolve();
            return;
          }
          let data: unknown = xhr.responseText;
          try {
            data = JSON.parse(xhr.responseText);
          } catch {
            // Plain text body.
          }
          const response = { status: xhr.status, statusText: xhr.statusText };
          reject(new Error(errorMessage(response as Response, data)));
        };
        xhr.send(body);
      }),
    objectURL: uri =>
      URLExt.join(
        settings.baseUrl,
        API_NAMESPACE,
        `objects?uri=${encodeURIComponent(uri)}`
      ),
    downloadTicket,
    download: async target => {
      const issued = await downloadTicket(target);
      // The ticket on this page's own base URL (the server's path may be another listener's).
      const url = URLExt.join(
        settings.baseUrl,
        API_NAMESPACE,
        `objects/download?ticket=${encodeURIComponent(issued.ticket)}`
      );
      followDownload(url, issued.file_name);
    }
  };
}
