import * as React from 'react';

import { IJobsApi } from '../api';
import { jobImages } from '../formRules';
import { preferredImage } from '../imageOffers';
import { JobKind } from '../tokens';
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
 * calls `onLoaded` with the defaults (the image made for the job's kind,
 * the default instance type).
 */
export function useFormCatalog(
  api: IJobsApi,
  kind: JobKind,
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
        defaults.image = preferredImage(next.images, kind);
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
