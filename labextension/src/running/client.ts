import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from '../handler';
import { IImagesResponse, IInstanceTypesResponse } from '../instance/tokens';
import { IInstancesResponse, IKernelInfo, IKernelsResponse } from './tokens';

/**
 * The kernels and instances API: what runs (kernels, instances) and what
 * can run (the instance type and image catalogs).
 */
export interface IInstancesClient {
  /** `GET kernels`. */
  kernels(): Promise<IKernelInfo[]>;
  /** `GET instances`, with Docker's availability. */
  instances(): Promise<IInstancesResponse>;
  /** `DELETE instances/{id}`: stops it and its kernels. */
  stopInstance(id: string): Promise<void>;
  /** `GET instance-types`. */
  instanceTypes(): Promise<IInstanceTypesResponse>;
  /** `GET images`. */
  images(): Promise<IImagesResponse>;
}

/** The kernels and instances API over `{baseUrl}atelier/api/`. */
export function createInstancesClient(
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): IInstancesClient {
  const call = <T>(path: string, init: RequestInit = {}): Promise<T> =>
    requestAPI<T>(path, init, settings);
  return {
    kernels: async () =>
      (await call<IKernelsResponse>('kernels'))?.kernels ?? [],
    instances: () => call<IInstancesResponse>('instances'),
    stopInstance: async id => {
      await call<void>(`instances/${encodeURIComponent(id)}`, {
        method: 'DELETE'
      });
    },
    instanceTypes: () => call<IInstanceTypesResponse>('instance-types'),
    images: () => call<IImagesResponse>('images')
  };
}
