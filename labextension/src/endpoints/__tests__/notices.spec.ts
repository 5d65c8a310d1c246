import { SettledEndpoints } from '../notices';
import { endpoint } from './fixtures';

describe('SettledEndpoints', () => {
  it('announces once an endpoint seen Creating that goes InService', () => {
    const seen = new SettledEndpoints();
    expect(seen.observe(endpoint('a', 'Creating'))).toBeNull();
    expect(seen.observe(endpoint('a', 'InService'))).toEqual({
      name: 'a',
      status: 'InService',
      type: 'success',
      message: 'Endpoint a is InService: it takes invocations.'
    });
    expect(seen.observe(endpoint('a', 'InService'))).toBeNull();
    expect(seen.watching).toBe(0);
  });

  it('announces a failure with its reason, and an update that settles', () => {
    const seen = new SettledEndpoints();
    seen.observe(endpoint('a', 'Creating'));
    expect(
      seen.observe(
        endpoint('a', 'Failed', { FailureReason: 'ping never answered' })
      )?.message
    ).toBe('Endpoint a failed: ping never answered');
    seen.observe(endpoint('b', 'Updating'));
    expect(seen.observe(endpoint('b', 'InService'))?.message).toBe(
      'Endpoint b is InService again after its update.'
    );
  });

  it('warns of an update that rolled back, with why', () => {
    const seen = new SettledEndpoints();
    seen.observe(endpoint('a', 'Updating'));
    seen.observe(endpoint('a', 'RollingBack'));
    const reason =
      "the update to v2 was rolled back: alarm 'ModelLatencyP99 > 250000' fired: p99 310000";
    expect(
      seen.observe(endpoint('a', 'InService', { FailureReason: reason }))
    ).toEqual({
      name: 'a',
      status: 'InService',
      type: 'warning',
      message: `Endpoint a rolled back its update and serves its previous config: ${reason}`
    });
  });

  it('says nothing of an endpoint first seen settled, nor of a delete', () => {
    const seen = new SettledEndpoints();
    expect(seen.observe(endpoint('old', 'InService'))).toBeNull();
    expect(seen.observe(endpoint('old', 'Failed'))).toBeNull();
    seen.observe(endpoint('c', 'Creating'));
    expect(seen.observe(endpoint('c', 'Deleting'))).toBeNull();
    expect(seen.observe(endpoint('c', 'InService'))).toBeNull();
    seen.observe(endpoint('d', 'Creating'));
    expect(seen.observe(endpoint('d', 'Creating'), true)).toBeNull();
    expect(seen.watching).toBe(0);
  });
});
