import * as React from 'react';

import { IJobsApi } from '../api';
import { jobImages } from '../formRules';
import { messageOf } from '../../messages';
import { IImageInfo, IInstanceType } from '../../instance/tokens';

/** What a job form loads from the server before it can be filled. */
export interface IFormCatalog {
  images: IImageInfo[];
  types: IInstanceType[];
  /** The object store's default bucket, when there is one. */
  bucket: string | null;
  /** What could not be loaded, or null. */
  loadError: string | null;
}

/** The defaults a form takes from its catalog once it is loaded. */
export interface IFormDefaults {
  image: string;
  instanceType: string;
  bucket: string | null;
}

/**
 * Loads the Docker images, the instance types and the default bucket once;
 * calls `onLoaded` with the defaults (atelier/sklearn, the default type).
 */
export function useFormCatalog(
  api: IJobsApi,
  onLoaded: (defaults: IFormDefaults) => void
): IFormCatalog {
  const [catalog, setCatalog] = React.useState<IFormCatalog>({
    images: [],
    types: [],
    bucket: null,
    loadError: null
  });
  React.useEffect(() => {
    void Promise.allSettled([
      api.images(),
      api.instanceTypes(),
      api.health()
    ]).then(([imagesResult, typesResult, healthResult]) => {
      const problems: string[] = [];
      const next: IFormCatalog = { ...catalog };
      const defaults: IFormDefaults = {
        image: '',
        instanceType: '',
        bucket: null
      };
      if (imagesResult.status === 'fulfilled') {
        next.images = jobImages(imagesResult.value?.images ?? []);
        const sklearn = next.images.find(i =>
          i.name.startsWith('atelier/sklearn')
        );
        defaults.image = (sklearn ?? next.images[0])?.name ?? '';
      } else {
        problems.push(`images: ${messageOf(imagesResult.reason)}`);
      }
      if (typesResult.status === 'fulfilled') {
        next.types = typesResult.value?.instance_types ?? [];
        const preferred = next.types.find(
          t => t.name === typesResult.value?.default && t.available
        );
        defaults.instanceType =
          (preferred ?? next.types.find(t => t.available))?.name ?? '';
      } else {
        problems.push(`instance types: ${messageOf(typesResult.reason)}`);
      }
      if (healthResult.status === 'fulfilled') {
        next.bucket = healthResult.value?.object_store?.default_bucket ?? null;
        defaults.bucket = next.bucket;
      }
      next.loadError = problems.length
        ? `Cannot load ${problems.join('; ')}`
        : null;
      setCatalog(next);
      onLoaded(defaults);
    });
  }, []);
  return catalog;
}
