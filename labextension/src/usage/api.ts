import { Notification } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';
import { ISignal } from '@lumino/signaling';

import { requestAPI } from '../handler';
import { notifyError } from '../notify';
import {
  IIdlePoliciesResponse,
  IIdlePolicy,
  IInstanceTypesResponse,
  IUsageResponse
} from '../tokens';
import { IdleField, idlePolicyRequest, idleSavedText } from './idlePolicy';
import { IIdleNotifier, IIdleServer, IdleRulesSync } from './idleRulesSync';
import { IUsageRange, usageEndpoint } from './period';

/** What the usage and idle shutdown sections ask of the server. */
export interface IUsageApi {
  fetchUsage(range: IUsageRange): Promise<IUsageResponse>;
  fetchIdlePolicies(): Promise<IIdlePolicy[]>;
  fetchInstanceTypes(): Promise<Array<{ name: string }>>;
  /** Saves a type's rules; resolves with the server's rule. */
  saveIdlePolicy(
    instanceType: string,
    body: Record<IdleField, number>
  ): Promise<IIdlePolicy>;
  /** Emitted with a type's new rule, however it was changed (settings or form). */
  idlePolicyChanged?: ISignal<unknown, IIdlePolicy>;
}

/** The server calls of the idle rules: fetch them all, set one type's. */
export function createIdleServer(
  serverSettings: ServerConnection.ISettings
): IIdleServer {
  return {
    fetchIdlePolicies: async () =>
      (
        await requestAPI<IIdlePoliciesResponse>(
          'idle-policy',
          {},
          serverSettings
        )
      )?.policies ?? [],
    putIdlePolicy: (instanceType, body) => {
      const { endPoint, init } = idlePolicyRequest(instanceType, body);
      return requestAPI<IIdlePolicy>(endPoint, init, serverSettings);
    }
  };
}

/** JupyterLab notifications: the rule now in force, or the server's message. */
export const idleNotifier: IIdleNotifier = {
  saved: policy =>
    void Notification.success(idleSavedText(policy), { autoClose: 5000 }),
  failed: (instanceType, error) =>
    notifyError(`Could not apply the idle rule of ${instanceType}`, error)
};

/**
 * The server calls of the usage and idle shutdown sections. Idle rules are
 * saved through `sync` (into the settings, from there to the server).
 */
export function createUsageApi(
  serverSettings: ServerConnection.ISettings,
  sync: IdleRulesSync
): IUsageApi {
  const idle = createIdleServer(serverSettings);
  return {
    fetchUsage: range =>
      requestAPI<IUsageResponse>(usageEndpoint(range), {}, serverSettings),
    fetchIdlePolicies: () => idle.fetchIdlePolicies(),
    fetchInstanceTypes: async () =>
      (
        await requestAPI<IInstanceTypesResponse>(
          'instance-types',
          {},
          serverSettings
        )
      )?.instance_types ?? [],
    saveIdlePolicy: (instanceType, body) => sync.save(instanceType, body),
    idlePolicyChanged: sync.applied
  };
}
