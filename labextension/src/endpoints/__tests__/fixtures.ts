import { IEndpointsClient } from '../client';
import {
  IEndpointDescription,
  IEndpointSummary,
  IVariantSummary
} from '../tokens';

export const variant = (
  name: string,
  extra: Partial<IVariantSummary> = {}
): IVariantSummary => ({
  VariantName: name,
  CurrentWeight: 1,
  DesiredWeight: 1,
  CurrentInstanceCount: 1,
  DesiredInstanceCount: 1,
  Instances: [{ Id: `${name}-0`, Healthy: true }],
  ...extra
});

export const endpoint = (
  name: string,
  status = 'InService',
  extra: Partial<IEndpointDescription> = {}
): IEndpointSummary => ({
  EndpointName: name,
  EndpointStatus: status,
  CreationTime: '2026-12-03T10:00:00Z',
  ...extra
});

/** A client whose every call is a jest mock (resolving to nothing). */
export function fakeClient(
  overrides: Partial<IEndpointsClient> = {}
): jest.Mocked<IEndpointsClient> {
  return {
    listEndpoints: jest.fn(async () => []),
    describe: jest.fn(async (name: string) => endpoint(name)),
    deleteEndpoint: jest.fn(async () => undefined),
    updateWeightsAndCapacities: jest.fn(async () => undefined),
    metrics: jest.fn(async () => ({ Period: 60, Variants: {} })),
    invoke: jest.fn(),
    createModel: jest.fn(async () => undefined),
    createEndpointConfig: jest.fn(async () => undefined),
    createEndpoint: jest.fn(async () => undefined),
    listEndpointConfigs: jest.fn(async () => []),
    updateEndpoint: jest.fn(async () => undefined),
    scalingPolicy: jest.fn(async () => null),
    putScalingPolicy: jest.fn(async (_n: string, _v: string, p: any) => p),
    deleteScalingPolicy: jest.fn(async () => undefined),
    capture: jest.fn(async () => ({ EnableCapture: false })),
    captureRecords: jest.fn(async () => []),
    ...overrides
  } as jest.Mocked<IEndpointsClient>;
}
