import { isTransitional } from './format';
import { IEndpointSummary } from './tokens';

/** What to tell the user about an endpoint that settled while the page watched it. */
export interface IEndpointNotice {
  name: string;
  status: 'InService' | 'Failed';
  /** A rolled-back update is a warning: the endpoint serves, on its old config. */
  type: 'success' | 'warning' | 'error';
  message: string;
}

/**
 * Endpoints seen Creating, Updating or RollingBack by this page, and the
 * notice due when one of them goes InService or Failed. One first seen
 * settled (before the page loaded) gives no notice; nor does a delete.
 */
export class SettledEndpoints {
  /** An endpoint's summary, from a frame or a list: the notice it is due, if any. */
  observe(endpoint: IEndpointSummary, deleted = false): IEndpointNotice | null {
    const name = endpoint.EndpointName;
    const status = endpoint.EndpointStatus;
    if (deleted || status === 'Deleting') {
      this._watching.delete(name);
      return null;
    }
    if (isTransitional(status)) {
      this._watching.set(name, status);
      return null;
    }
    const was = this._watching.get(name);
    if (was === undefined) {
      return null;
    }
    const notice = noticeFor(endpoint, was);
    this._watching.delete(name);
    return notice;
  }

  /** How many endpoints are being watched. */
  get watching(): number {
    return this._watching.size;
  }

  private _watching = new Map<string, string>();
}

/** The notice of an endpoint that went InService or Failed after `was`. */
export function noticeFor(
  endpoint: IEndpointSummary,
  was: string
): IEndpointNotice | null {
  const name = endpoint.EndpointName;
  switch (endpoint.EndpointStatus) {
    case 'InService': {
      if (was === 'RollingBack') {
        const reason = (endpoint.FailureReason ?? '').trim();
        return {
          name,
          status: 'InService',
          type: 'warning',
          message: reason
            ? `Endpoint ${name} rolled back its update and serves its previous config: ${reason}`
            : `Endpoint ${name} rolled back its update and serves its previous config.`
        };
      }
      return {
        name,
        status: 'InService',
        type: 'success',
        message:
          was === 'Creating'
            ? `Endpoint ${name} is InService: it takes invocations.`
            : `Endpoint ${name} is InService again after its update.`
      };
    }
    case 'Failed': {
      const reason = (endpoint.FailureReason ?? '').trim();
      return {
        name,
        status: 'Failed',
        type: 'error',
        message: reason
          ? `Endpoint ${name} failed: ${reason}`
          : `Endpoint ${name} failed.`
      };
    }
    default:
      return null;
  }
}
