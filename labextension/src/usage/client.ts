import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from '../handler';
import { IIdlePoliciesResponse, IIdlePolicy, IUsageResponse } from './tokens';
import { IdleField, idlePolicyRequest } from './idlePolicy';
import { IUsageRange, usageEndpoint } from './period';

/** The usage and idle rules API: metered hours, and when idle things stop. */
export interface IUsageClient {
  /** `GET usage?from=&to=`. */
  usage(range: IUsageRange): Promise<IUsageResponse>;
  /** `GET idle-policy`: every type's rules. */
  idlePolicies(): Promise<IIdlePolicy[]>;
  /** `PUT idle-policy/{type}`: resolves with the rule now in force. */
  putIdlePolicy(
    instanceType: string,
    body: Record<IdleField, number>
  ): Promise<IIdlePolicy>;
}

/** The usage and idle rules API over `{baseUrl}atelier/api/`. */
export function createUsageClient(
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): IUsageClient {
  return {
    usage: range =>
      requestAPI<IUsageResponse>(usageEndpoint(range), {}, settings),
    idlePolicies: async () =>
      (await requestAPI<IIdlePoliciesResponse>('idle-policy', {}, settings))
        ?.policies ?? [],
    putIdlePolicy: (instanceType, body) => {
      const { endPoint, init } = idlePolicyRequest(instanceType, body);
      return requestAPI<IIdlePolicy>(endPoint, init, settings);
    }
  };
}
