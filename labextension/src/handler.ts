import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** Error body of the Atelier REST API. */
export interface IServerError {
  reason?: string | null;
  message?: string | null;
}

/** Path of the Atelier API below the Jupyter server's base URL. */
export const API_NAMESPACE = 'atelier/api';

/**
 * Call the Atelier REST API.
 *
 * @param endPoint path below `{baseUrl}atelier/api/`, e.g. `kernels`
 * @param init fetch options
 * @param settings server settings (token and XSRF handling)
 * @returns the decoded JSON body (or undefined for an empty body)
 * @throws ServerConnection.NetworkError when the server cannot be reached
 * @throws ServerConnection.ResponseError carrying the server's `message`
 */
export async function requestAPI<T>(
  endPoint = '',
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, endPoint);

  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }

  const text = await response.text();
  let data: unknown = undefined;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }

  if (!response.ok) {
    throw new ServerConnection.ResponseError(
      response,
      errorMessage(response, data)
    );
  }
  return data as T;
}

/** The message to show for a failed response. */
export function errorMessage(response: Response, data: unknown): string {
  if (data && typeof data === 'object') {
    const body = data as IServerError;
    if (body.message) {
      return body.message;
    }
    if (body.reason) {
      return body.reason;
    }
  }
  if (
    typeof data === 'string' &&
    data.trim() &&
    !data.trimStart().startsWith('<')
  ) {
    return data.trim();
  }
  const status = `${response.status} ${response.statusText}`.trim();
  return `Atelier API request failed: ${status}`;
}

/**
 * URL of the Atelier events WebSocket, with the Jupyter token as a query
 * parameter when one is set (browsers cannot add headers to WebSockets).
 */
export function eventsURL(
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): string {
  const url = URLExt.join(settings.wsUrl, API_NAMESPACE, 'events');
  if (!settings.token) {
    return url;
  }
  return `${url}?token=${encodeURIComponent(settings.token)}`;
}
