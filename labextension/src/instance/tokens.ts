/**
 * The instance type and image catalogs (what instances and jobs can run
 * on), as `instance-types` and `images` serve them, and the notebook
 * toolbar item that picks from them.
 */

/** Id of the instance picker plugin (after the colon: its settings schema file). */
export const INSTANCE_SPEC_PLUGIN_ID = '@atelier/labextension:instance-spec';

/** Name of the item in the notebook toolbar (see schema/instance-spec.json). */
export const TOOLBAR_ITEM = 'atelierInstance';

/** An entry of the instance type catalog. */
export interface IInstanceType {
  name: string;
  vcpus: number;
  memory_bytes: number;
  memory_gib: number;
  gpus: number;
  price_per_hour: number;
  description?: string | null;
  available: boolean;
  unavailable_reason: string | null;
}

/** Body of `GET {baseUrl}atelier/api/instance-types`. */
export interface IInstanceTypesResponse {
  default: string;
  host_gpus: number;
  instance_types: IInstanceType[];
}

/** An image instances can run. */
export interface IImageInfo {
  name: string;
  display_name: string;
  runtime: string;
  kernelspecs: string[];
  size_bytes?: number | null;
}

/** Body of `GET {baseUrl}atelier/api/images`. */
export interface IImagesResponse {
  default: string;
  docker_problem: string | null;
  images: IImageInfo[];
}

/** Id of the status bar item (the current notebook's instance and cost). */
export const STATUS_ITEM_ID = '@atelier/labextension:instance-status';

/** Commands of the instance picker. */
export namespace InstanceCommandIDs {
  /** Open the picker for the current notebook. */
  export const pick = 'atelier:instance-pick';
  /** A new notebook on a chosen instance type and image. */
  export const newNotebook = 'atelier:instance-new-notebook';
}
