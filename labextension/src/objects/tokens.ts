/** Shapes of the objects API (`objects`, `objects/list`) and of `health`. */

/** An object of `GET objects/list?prefix=`. */
export interface IObjectInfo {
  key: string;
  uri: string;
  size: number;
  last_modified: string | null;
}

export interface IObjectListing {
  objects: IObjectInfo[];
  truncated: boolean;
}

/** The parts of `GET atelier/api/health` the form uses. */
export interface IHealthResponse {
  status?: string;
  default_image?: string;
  default_instance_type?: string;
  object_store?: { default_bucket?: string | null } | null;
}
