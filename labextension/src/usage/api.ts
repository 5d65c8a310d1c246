import { Notification } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from '../handler';
import { notifyError } from '../running/actions';
import {
  IIdlePoliciesResponse,
  IIdlePolicy,
  IInstanceTypesResponse,
  IUsageResponse
} from '../tokens';
import { IdleField, idlePolicyRequest, idleSavedText } from './idlePolicy';
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
}

/**
 * The server calls of the usage and idle shutdown sections. Saving notifies:
 * the rule now in force, or the server's message; `onSaved` runs after a
 * rule changed (the instances' idle deadlines move).
 */
export function createUsageApi(
  serverSettings: ServerConnection.ISettings,
  onSaved?: () => void
): IUsageApi {
  return {
    fetchUsage: range =>
      requestAPI<IUsageResponse>(usageEndpoint(range), {}, serverSettings),
    fetchIdlePolicies: async () =>
      (
        await requestAPI<IIdlePoliciesResponse>(
          'idle-policy',
          {},
          serverSettings
        )
      )?.policies ?? [],
    fetchInstanceTypes: async () =>
      (
        await requestAPI<IInstanceTypesResponse>(
          'instance-types',
          {},
          serverSettings
        )
      )?.instance_types ?? [],
    saveIdlePolicy: async (instanceType, body) => {
      const { endPoint, init } = idlePolicyRequest(instanceType, body);
      try {
        const policy = await requestAPI<IIdlePolicy>(
          endPoint,
          init,
          serverSettings
        );
        Notification.success(idleSavedText(policy), { autoClose: 5000 });
        onSaved?.();
        return policy;
      } catch (error) {
        notifyError(`Could not save the idle rule of ${instanceType}`, error);
        throw error;
      }
    }
  };
}
