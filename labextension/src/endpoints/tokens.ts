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
  /** Percent of one core (100 = one core, as SageMaker); null before the first sample. */
  CPUUtilization?: number | null;
  /** Percent of the instance type's memory (or of the limit). */
  MemoryUtilization?: number | null;
  MemoryUsedBytes?: number | null;
  /** False when the instance runs without its type's CPU and memory limits (see LimitsProblem). */
  LimitsEnforced?: boolean | null;
  /** Why the host did not apply the limits. */
  LimitsProblem?: string | null;
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
  /** While a blue/green update is under way: the new fleet. */
  PendingDeploymentSummary?: IPendingDeploymentSummary | null;
  /** While a blue/green update is under way: where the traffic shift is. */
  TrafficShift?: ITrafficShift | null;
  /** After an update: the DeploymentConfig it used. */
  LastDeploymentConfig?: IDeploymentConfig | null;
}

/** A variant of the new fleet of an update. */
export interface IPendingVariant extends IVariantSummary {
  ModelName?: string | null;
  InstanceType?: string | null;
}

/** DescribeEndpoint's PendingDeploymentSummary. */
export interface IPendingDeploymentSummary {
  EndpointConfigName?: string | null;
  StartTime?: string | null;
  ProductionVariants?: IPendingVariant[] | null;
}

export type TrafficShiftPhase =
  'Provisioning' | 'Shifting' | 'Baking' | 'TerminationWait' | 'RollingBack';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** Atelier's TrafficShift of an update under way. */
export interface ITrafficShift {
  Type?: TrafficRoutingType | null;
  Phase: TrafficShiftPhase | string;
  NewFleetTrafficPercent?: number | null;
  Step?: number | null;
  Steps?: number | null;
  /** ISO-8601, or null when the phase has no set end. */
  PhaseEndsAt?: string | null;
  Alarms?: Array<{
    AlarmName: string;
    State: AlarmState | string;
    Value?: number | null;
  }> | null;
}

export type TrafficRoutingType = 'ALL_AT_ONCE' | 'CANARY' | 'LINEAR';
export type CapacitySizeType = 'INSTANCE_COUNT' | 'CAPACITY_PERCENT';

export interface ICapacitySize {
  Type: CapacitySizeType;
  Value: number;
}

/** UpdateEndpoint's DeploymentConfig. */
export interface IDeploymentConfig {
  BlueGreenUpdatePolicy: {
    TrafficRoutingConfiguration: {
      Type: TrafficRoutingType;
      WaitIntervalInSeconds: number;
      CanarySize?: ICapacitySize;
      LinearStepSize?: ICapacitySize;
    };
    TerminationWaitInSeconds?: number;
    MaximumExecutionTimeoutInSeconds?: number;
  };
  AutoRollbackConfiguration?: { Alarms: Array<{ AlarmName: string }> };
}

/** `POST endpoints/{name}/update`. */
export interface IUpdateEndpointRequest {
  EndpointConfigName: string;
  DeploymentConfig?: IDeploymentConfig;
}

/** An entry of `GET endpoint-configs`. */
export interface IEndpointConfigSummary {
  EndpointConfigName: string;
  EndpointConfigArn?: string;
  CreationTime?: string | null;
}

/** A variant's target-tracking scaling policy (`endpoints/{name}/variants/{v}/scaling`). */
export interface IScalingPolicy {
  MinCapacity: number;
  MaxCapacity: number;
  TargetTrackingScalingPolicyConfiguration: {
    /** Invocations per instance per minute. */
    TargetValue: number;
    ScaleOutCooldown?: number;
    ScaleInCooldown?: number;
    DisableScaleIn?: boolean;
    PredefinedMetricSpecification?: { PredefinedMetricType: string };
  };
}

/** The policy as the server answers it, with its last scaling. */
export interface IScalingPolicyDescription extends IScalingPolicy {
  EndpointName?: string;
  VariantName?: string;
  LastScalingActivity?: {
    Time: string;
    From: number;
    To: number;
    Reason: string;
  } | null;
}

/** `GET endpoints/{name}/capture`. */
export interface ICaptureStatus {
  EndpointName?: string;
  EnableCapture: boolean;
  CaptureStatus?: string;
  CurrentSamplingPercentage?: number | null;
  DestinationS3Uri?: string | null;
  Captured?: number;
  Uploaded?: number;
  UploadedFiles?: number;
  /** Every record lost: the queue full, the spool full, a failed write. */
  Dropped?: number;
  /** Those of them refused because the spool held its cap (captureSpoolMaxMib). */
  DroppedSpoolFull?: number;
  Pending?: number;
  /** What the spool files of all endpoints hold now, and their cap. */
  SpoolBytes?: number;
  SpoolMaxBytes?: number;
  LastUploadTime?: string | null;
  LastError?: string | null;
}

/** One side of a capture record. */
export interface ICaptureData {
  observedContentType?: string;
  mode?: string;
  data?: string;
  encoding?: string;
}

/** A SageMaker capture record, with the variant that answered. */
export interface ICaptureRecord {
  captureData?: {
    endpointInput?: ICaptureData;
    endpointOutput?: ICaptureData;
  };
  eventMetadata?: {
    eventId?: string;
    inferenceId?: string;
    inferenceTime?: string;
  };
  eventVersion?: string;
  Variant?: string | null;
}

/** One minute of one variant of `GET endpoints/{name}/metrics`. */
export interface IVariantMinute {
  /** ISO-8601 time or epoch milliseconds of the minute's start. */
  Timestamp: string | number;
  Invocations?: number | null;
  Invocation4XXErrors?: number | null;
  Invocation5XXErrors?: number | null;
  /** Invocations whose caller went away before the whole answer: not an error of the model. */
  InvocationsAbandoned?: number | null;
  /** Mean microseconds over the minute. */
  ModelLatency?: number | null;
  OverheadLatency?: number | null;
  /** Mean over the variant's instances in the minute, percent of one core. */
  CPUUtilization?: number | null;
  /** Mean over the variant's instances in the minute, percent of memory. */
  MemoryUtilization?: number | null;
}

/** The latest usage sample of an instance, in the metrics answer. */
export interface IInstanceUsage {
  Id: string;
  CPUUtilization?: number | null;
  MemoryUtilization?: number | null;
  MemoryUsedBytes?: number | null;
  At?: string | null;
}

/** Body of `GET endpoints/{name}/metrics?minutes=`. */
export interface IEndpointMetrics {
  Period: number;
  Variants: Record<string, IVariantMinute[]>;
  /** The latest sample of each variant's instances. */
  Instances?: Record<string, IInstanceUsage[]> | null;
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
