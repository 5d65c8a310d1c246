import { Notification } from '@jupyterlab/apputils';
import { ISignal } from '@lumino/signaling';

import { notifyError } from '../notify';
import { IInstancesClient } from '../running/client';
import { IIdlePolicy, IUsageResponse } from './tokens';
import { IUsageClient } from './client';
import { IdleField, idleSavedText } from './idlePolicy';
import { IIdleNotifier, IIdleServer, IdleRulesSync } from './idleRulesSync';
import { IUsageRange } from './period';

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
export function createIdleServer(client: IUsageClient): IIdleServer {
  return {
    fetchIdlePolicies: () => client.idlePolicies(),
    putIdlePolicy: (instanceType, body) =>
      client.putIdlePolicy(instanceType, body)
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
  usage: IUsageClient,
  instances: Pick<IInstancesClient, 'instanceTypes'>,
  sync: IdleRulesSync
): IUsageApi {
  return {
    fetchUsage: range => usage.usage(range),
    fetchIdlePolicies: () => usage.idlePolicies(),
    fetchInstanceTypes: async () =>
      (await instances.instanceTypes())?.instance_types ?? [],
    saveIdlePolicy: (instanceType, body) => sync.save(instanceType, body),
    idlePolicyChanged: sync.applied
  };
}
