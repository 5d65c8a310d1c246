import { ServerConnection } from '@jupyterlab/services';

import { errorMessage } from '../../handler';

/**
 * The body of an artifact (its URL from the experiments client's
 * `artifactUrl`), fetched with the page's credentials.
 */
export async function fetchArtifact(
  url: string,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<Blob> {
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, {}, settings);
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }
  if (!response.ok) {
    const text = await response.text();
    let data: unknown = text;
    try {
      data = JSON.parse(text);
    } catch {
      // Not JSON: the text itself.
    }
    throw new ServerConnection.ResponseError(
      response,
      errorMessage(response, data)
    );
  }
  return response.blob();
}

/** Save a blob as a file of the browser. */
export function saveBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
