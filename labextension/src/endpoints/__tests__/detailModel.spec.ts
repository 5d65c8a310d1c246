import { EndpointDetailModel, METRICS_INTERVAL } from '../detailModel';
import { IEndpointDescription } from '../tokens';
import { endpoint, fakeClient, variant } from './fixtures';

const settle = () => jest.advanceTimersByTimeAsync(0);

/** An error as requestAPI throws it: its message and the response's status. */
function responseError(status: number, message: string): Error {
  return Object.assign(new Error(message), { response: { status } });
}

describe('EndpointDetailModel', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('describes and reads metrics when shown, then every 10 s while visible', async () => {
    const api = fakeClient();
    const model = new EndpointDetailModel({ name: 'ep', api, interval: 1000 });
    model.resume();
    await settle();
    expect(api.describe).toHaveBeenCalledWith('ep');
    expect(api.metrics).toHaveBeenCalledWith('ep', 60);
    expect(model.status).toBe('InService');
    // A shorter interval is raised to the 10 s floor.
    await jest.advanceTimersByTimeAsync(METRICS_INTERVAL - 1);
    expect(api.metrics).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(api.metrics).toHaveBeenCalledTimes(2);
    model.pause();
    await jest.advanceTimersByTimeAsync(5 * METRICS_INTERVAL);
    expect(api.metrics).toHaveBeenCalledTimes(2);
    model.dispose();
  });

  it('takes the fields of its frames, and reads metrics after one', async () => {
    const api = fakeClient({
      describe: jest.fn(async () =>
        endpoint('ep', 'Creating', { EndpointConfigName: 'cfg' })
      )
    });
    const model = new EndpointDetailModel({ name: 'ep', api });
    model.resume();
    await settle();
    model.applyFrame(
      endpoint('ep', 'InService', {
        ProductionVariants: [variant('AllTraffic', { CurrentInstanceCount: 2 })]
      }),
      false
    );
    expect(model.status).toBe('InService');
    expect(model.description?.EndpointConfigName).toBe('cfg');
    expect(
      model.description?.ProductionVariants?.[0].CurrentInstanceCount
    ).toBe(2);
    await settle();
    expect(api.metrics).toHaveBeenCalledTimes(2);
    // Another endpoint's frame changes nothing.
    model.applyFrame(endpoint('other', 'Failed'), false);
    expect(model.status).toBe('InService');
    model.dispose();
  });

  it('does not let a describe from before a frame win', async () => {
    let answer: (value: any) => void = () => undefined;
    const api = fakeClient({
      describe: jest.fn(
        () => new Promise<IEndpointDescription>(resolve => (answer = resolve))
      )
    });
    const model = new EndpointDetailModel({ name: 'ep', api });
    const refreshing = model.refresh();
    model.applyFrame(endpoint('ep', 'InService'), false);
    answer(endpoint('ep', 'Creating'));
    await refreshing;
    expect(model.status).toBe('InService');
  });

  it('is gone after a deleted frame or a 404, and keeps other errors', async () => {
    const api = fakeClient({
      describe: jest
        .fn()
        .mockRejectedValueOnce(responseError(500, 'boom'))
        .mockRejectedValueOnce(responseError(404, 'no endpoint ep'))
    });
    const model = new EndpointDetailModel({ name: 'ep', api });
    await model.refresh();
    expect(model.error).toBe('boom');
    expect(model.gone).toBe(false);
    await model.refresh();
    expect(model.gone).toBe(true);

    const other = new EndpointDetailModel({ name: 'b', api: fakeClient() });
    other.applyFrame(endpoint('b', 'Deleting'), true);
    expect(other.gone).toBe(true);
  });

  it('sends weights and capacities, and shows Deleting after a delete', async () => {
    const api = fakeClient();
    const model = new EndpointDetailModel({ name: 'ep', api });
    await model.refresh();
    const desired = [
      { VariantName: 'a', DesiredWeight: 2, DesiredInstanceCount: 3 }
    ];
    await model.updateWeightsAndCapacities(desired);
    expect(api.updateWeightsAndCapacities).toHaveBeenCalledWith('ep', desired);
    await model.delete();
    expect(api.deleteEndpoint).toHaveBeenCalledWith('ep');
    expect(model.status).toBe('Deleting');
  });

  it('rejects with the server message of a refused change', async () => {
    const api = fakeClient({
      updateWeightsAndCapacities: jest.fn(async () => {
        throw responseError(400, 'endpoint ep is Updating');
      })
    });
    const model = new EndpointDetailModel({ name: 'ep', api });
    await expect(model.updateWeightsAndCapacities([])).rejects.toThrow(
      'endpoint ep is Updating'
    );
  });
});
