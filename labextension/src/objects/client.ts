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
  /** The URL that downloads an object (for links). */
  objectURL(uri: string): string;
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
    objectURL: uri => {
      let url = URLExt.join(
        settings.baseUrl,
        API_NAMESPACE,
        `objects?uri=${encodeURIComponent(uri)}`
      );
      if (settings.token) {
        url += `&token=${encodeURIComponent(settings.token)}`;
      }
      return url;
    }
  };
}
