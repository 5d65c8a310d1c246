/**
 * The Endpoints panel's ids and commands, and the shapes of the hosting API
 * (`{baseUrl}atelier/api/models`, `endpoint-configs`, `endpoints`) as it
 * uses them. SageMaker's PascalCase names are kept as the server sends them.
 */

/** Id of the Endpoints plugin. */
export const ENDPOINTS_PLUGIN_ID = '@atelier/labextension:endpoints';

/** Stable DOM id of the Endpoints panel in the left sidebar. */
export const ENDPOINTS_PANEL_ID = 'atelier-endpoints';

/** Command ids of the Endpoints panel. */
export namespace EndpointCommandIDs {
  export const open = 'atelier:endpoints-open';
  /** `{name}`: the endpoint's detail tab. */
  export const openEndpoint = 'atelier:endpoints-open-endpoint';
  /** `{job}`: the Deploy dialog of a Completed training job. */
  export const deployJob = 'atelier:endpoints-deploy-job';
  export const refresh = 'atelier:endpoints-refresh';
}

/** SageMaker's endpoint statuses. */
export type EndpointStatus =
  | 'Creating'
  | 'InService'
  | 'Updating'
  | 'SystemUpdating'
  | 'RollingBack'
  | 'Deleting'
  | 'Failed'
  | 'OutOfService';

/** One running copy of a variant's model (Atelier's addition to describe). */
export interface IEndpointInstance {
  Id: string;
  Healthy: boolean;
  StartedAt?: string | null;
}

/** A variant as DescribeEndpoint reports it. */
export interface IVariantSummary {
  VariantName: string;
  CurrentWeight?: number | null;
  DesiredWeight?: number | null;
  CurrentInstanceCount?: number | null;
  DesiredInstanceCount?: number | null;
  DeployedImages?: Array<{ SpecifiedImage?: string | null }> | null;
  Instances?: IEndpointInstance[] | null;
}

/** An endpoint of `GET endpoints`, and of the `endpoint` frames (with variants). */
export interface IEndpointSummary {
  EndpointName: string;
  EndpointArn?: string;
  EndpointStatus: string;
  CreationTime?: string | null;
  LastModifiedTime?: string | null;
  FailureReason?: string | null;
  ProductionVariants?: IVariantSummary[] | null;
}

/** Body of `GET endpoints`. */
export interface IEndpointsResponse {
  Endpoints: IEndpointSummary[];
}

/** `GET endpoints/{name}` (DescribeEndpoint). */
export interface IEndpointDescription extends IEndpointSummary {
  EndpointConfigName?: string | null;
  CreatedBy?: { UserProfileName?: string | null } | string | null;
  DataCaptureConfig?: unknown;
}

/** One minute of one variant of `GET endpoints/{name}/metrics`. */
export interface IVariantMinute {
  /** ISO-8601 time or epoch milliseconds of the minute's start. */
  Timestamp: string | number;
  Invocations?: number | null;
  Invocation4XXErrors?: number | null;
  Invocation5XXErrors?: number | null;
  /** Mean microseconds over the minute. */
  ModelLatency?: number | null;
  OverheadLatency?: number | null;
}

/** Body of `GET endpoints/{name}/metrics?minutes=`. */
export interface IEndpointMetrics {
  Period: number;
  Variants: Record<string, IVariantMinute[]>;
}

/** `POST endpoints/{name}/weights-and-capacities`. */
export interface IDesiredWeightAndCapacity {
  VariantName: string;
  DesiredWeight?: number;
  DesiredInstanceCount?: number;
}

/** `POST models`, Atelier's short form: the model of a Completed training job. */
export interface ICreateModelRequest {
  ModelName: string;
  FromTrainingJob?: string;
  PrimaryContainer?: {
    Image: string;
    ModelDataUrl?: string;
    Environment?: Record<string, string>;
  };
}

/** A variant of `POST endpoint-configs`. */
export interface IProductionVariant {
  VariantName: string;
  ModelName: string;
  InstanceType: string;
  InitialInstanceCount: number;
  InitialVariantWeight: number;
}

export interface ICreateEndpointConfigRequest {
  EndpointConfigName: string;
  ProductionVariants: IProductionVariant[];
}

export interface ICreateEndpointRequest {
  EndpointName: string;
  EndpointConfigName: string;
}

/** What to send to `POST endpoints/{name}/invocations`. */
export interface IInvokeRequest {
  body: string;
  contentType: string;
  accept: string;
  /** `X-Amzn-SageMaker-Target-Variant`; empty: the weights decide. */
  targetVariant?: string;
}

/** What came back from an invocation, whatever its status. */
export interface IInvokeResult {
  ok: boolean;
  status: number;
  /** The answer's body as text (the server's message for a refusal). */
  body: string;
  contentType: string;
  /** `X-Amzn-Invoked-Production-Variant`, or null. */
  variant: string | null;
  /** Milliseconds from sending to the whole answer. */
  millis: number;
}
