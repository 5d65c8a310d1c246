import { EndpointDetailModel, ROLLOUT_INTERVAL } from '../detailModel';
import { IEndpointDescription } from '../tokens';
import { endpoint, fakeClient, variant } from './fixtures';

const settle = () => jest.advanceTimersByTimeAsync(0);

const shifting = (
  status = 'Updating',
  phase = 'Shifting'
): IEndpointDescription => ({
  ...endpoint('ep', status, {
    ProductionVariants: [variant('AllTraffic')]
  }),
  PendingDeploymentSummary: { EndpointConfigName: 'v2' },
  TrafficShift: { Type: 'CANARY', Phase: phase, NewFleetTrafficPercent: 10 }
});

describe('EndpointDetailModel during an update', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('describes again every 5 s while an update is under way, and only then', async () => {
    const describe = jest.fn(async () => shifting());
    const api = fakeClient({ describe });
    const model = new EndpointDetailModel({ name: 'ep', api });
    model.resume();
    await settle();
    expect(describe).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(ROLLOUT_INTERVAL);
    expect(describe).toHaveBeenCalledTimes(2);
    // The frame of the end: no more describes.
    model.applyFrame(endpoint('ep', 'InService'), false);
    await jest.advanceTimersByTimeAsync(3 * ROLLOUT_INTERVAL);
    expect(describe).toHaveBeenCalledTimes(2);
    model.dispose();
  });

  it('drops the progress once a frame no longer carries it, and remembers a rollback', async () => {
    const api = fakeClient({ describe: jest.fn(async () => shifting()) });
    const model = new EndpointDetailModel({ name: 'ep', api });
    await model.refresh();
    expect(model.description?.TrafficShift?.Phase).toBe('Shifting');
    expect(model.rolledBack).toBe(false);
    model.applyFrame(shifting('RollingBack', 'RollingBack'), false);
    expect(model.rolledBack).toBe(true);
    model.applyFrame(
      endpoint('ep', 'InService', {
        FailureReason:
          "the update to v2 was rolled back: alarm 'Invocation5XXErrorRate > 5' fired: 40% of 20"
      }),
      false
    );
    expect(model.description?.TrafficShift).toBeUndefined();
    expect(model.description?.PendingDeploymentSummary).toBeUndefined();
    expect(model.description?.ProductionVariants?.[0].VariantName).toBe(
      'AllTraffic'
    );
    expect(model.rolledBack).toBe(true);
    // The next update starts afresh.
    model.applyFrame(shifting('Updating', 'Provisioning'), false);
    expect(model.rolledBack).toBe(false);
    model.dispose();
  });

  it('posts the update and describes the endpoint after it', async () => {
    const api = fakeClient();
    const model = new EndpointDetailModel({ name: 'ep', api });
    const request = { EndpointConfigName: 'v2' };
    await model.update(request);
    expect(api.updateEndpoint).toHaveBeenCalledWith('ep', request);
    expect(api.describe).toHaveBeenCalledWith('ep');
    model.dispose();
  });

  it("reads the capture and its latest records with the metrics, and the variants' policies", async () => {
    const api = fakeClient({
      describe: jest.fn(async () => shifting('InService')),
      capture: jest.fn(async () => ({ EnableCapture: true, Captured: 3 })),
      captureRecords: jest.fn(async () => [{ Variant: 'AllTraffic' }])
    });
    const model = new EndpointDetailModel({ name: 'ep', api });
    model.resume();
    await settle();
    expect(api.captureRecords).toHaveBeenCalledWith('ep', 20);
    expect(model.capture?.Captured).toBe(3);
    expect(model.captureRecords).toHaveLength(1);
    expect(api.scalingPolicy).toHaveBeenCalledWith('ep', 'AllTraffic');
    expect(model.scaling.policy('AllTraffic')).toBeNull();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(api.capture).toHaveBeenCalledTimes(2);
    model.pause();
    await jest.advanceTimersByTimeAsync(30_000);
    expect(api.capture).toHaveBeenCalledTimes(2);
    model.dispose();
  });

  it("reads a variant's policy again when its instance count changes", async () => {
    const api = fakeClient({
      describe: jest.fn(async () =>
        endpoint('ep', 'InService', { ProductionVariants: [variant('A')] })
      ),
      scalingPolicy: jest.fn(async () => ({
        MinCapacity: 1,
        MaxCapacity: 3,
        TargetTrackingScalingPolicyConfiguration: { TargetValue: 10 }
      }))
    });
    const model = new EndpointDetailModel({ name: 'ep', api });
    await model.refresh();
    await settle();
    expect(api.scalingPolicy).toHaveBeenCalledTimes(1);
    model.applyFrame(
      endpoint('ep', 'InService', {
        ProductionVariants: [variant('A', { DesiredInstanceCount: 2 })]
      }),
      false
    );
    await settle();
    expect(api.scalingPolicy).toHaveBeenCalledTimes(2);
    // A frame with the same count reads nothing.
    model.applyFrame(
      endpoint('ep', 'InService', {
        ProductionVariants: [variant('A', { DesiredInstanceCount: 2 })]
      }),
      false
    );
    await settle();
    expect(api.scalingPolicy).toHaveBeenCalledTimes(2);
    model.dispose();
  });
});
