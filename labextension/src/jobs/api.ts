import { ServerConnection } from '@jupyterlab/services';

import { IObjectsClient, createObjectsClient } from '../objects/client';
import { IInstancesClient, createInstancesClient } from '../running/client';
import { IJobsClient, createJobsClient } from './client';

/**
 * What the Jobs panel asks of the server (tests give fakes): the jobs and
 * objects APIs, and the catalogs a form offers.
 */
export interface IJobsApi
  extends
    IJobsClient,
    IObjectsClient,
    Pick<IInstancesClient, 'images' | 'instanceTypes'> {}

/** The Jobs panel's server calls over `{baseUrl}atelier/api/`. */
export function createJobsApi(
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): IJobsApi {
  const instances = createInstancesClient(settings);
  return {
    ...createJobsClient(settings),
    ...createObjectsClient(settings),
    images: () => instances.images(),
    instanceTypes: () => instances.instanceTypes()
  };
}
