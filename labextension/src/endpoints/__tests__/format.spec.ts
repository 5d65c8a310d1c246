import {
  canInvoke,
  takesInvocations,
  currentDesired,
  endpointBadge,
  formatMillis,
  instanceHealth,
  isTransitional,
  trafficShare
} from '../format';
import { displayBody, payloadError, MAX_PAYLOAD_BYTES } from '../invoke';
import { variant } from './fixtures';

describe('endpoint format', () => {
  it('gives every SageMaker status its badge', () => {
    const tones = Object.fromEntries(
      [
        'Creating',
        'InService',
        'Updating',
        'RollingBack',
        'Deleting',
        'Failed',
        'OutOfService'
      ].map(s => [s, endpointBadge(s).tone])
    );
    expect(tones).toEqual({
      Creating: 'running',
      InService: 'success',
      Updating: 'running',
      RollingBack: 'warning',
      Deleting: 'warning',
      Failed: 'error',
      OutOfService: 'neutral'
    });
    expect(endpointBadge('Later')).toEqual({ tone: 'neutral', label: 'Later' });
    expect(isTransitional('RollingBack')).toBe(true);
    expect(isTransitional('InService')).toBe(false);
    expect(canInvoke('InService')).toBe(true);
    expect(canInvoke('Updating')).toBe(false);
    expect(takesInvocations('Updating')).toBe(true);
    expect(takesInvocations('RollingBack')).toBe(true);
    expect(takesInvocations('Creating')).toBe(false);
  });

  it('says current and desired, health and traffic', () => {
    expect(currentDesired(1, 1)).toBe('1');
    expect(currentDesired(1, 3)).toBe('1 → 3');
    expect(currentDesired(null, null)).toBe('—');
    const a = variant('a', {
      CurrentWeight: 3,
      Instances: [
        { Id: 'a-0', Healthy: true },
        { Id: 'a-1', Healthy: false }
      ]
    });
    const b = variant('b', { CurrentWeight: 1, Instances: [] });
    expect(instanceHealth(a)).toBe('1 of 2 healthy');
    expect(instanceHealth(b)).toBe('no instances');
    expect(trafficShare(a, [a, b])).toBe('75%');
    expect(trafficShare(a, [variant('z', { CurrentWeight: 0 })])).toBe('—');
    expect(formatMillis(41.6)).toBe('42 ms');
    expect(formatMillis(1250)).toBe('1.25 s');
  });
});

describe('invoke payloads', () => {
  it('refuses an empty, oversized or malformed JSON payload', () => {
    expect(payloadError('  ', 'text/csv')).toBe('Give a payload to send');
    expect(payloadError('{"a":', 'application/json')).toMatch(
      /^The payload is not JSON/
    );
    expect(
      payloadError('x'.repeat(MAX_PAYLOAD_BYTES + 1), 'text/plain')
    ).toMatch(/at most 6 MB/);
    expect(payloadError('1,2', 'text/csv')).toBeNull();
  });

  it('indents a JSON answer and leaves the rest as it came', () => {
    const base = { ok: true, status: 200, variant: 'a', millis: 3 };
    expect(
      displayBody({
        ...base,
        body: '{"predictions":[1]}',
        contentType: 'application/json'
      })
    ).toBe('{\n  "predictions": [\n    1\n  ]\n}');
    expect(
      displayBody({ ...base, body: '1\n0\n', contentType: 'text/csv' })
    ).toBe('1\n0\n');
  });
});

describe('utf8Length', () => {
  it('counts bytes as sent', () => {
    const { utf8Length } = jest.requireActual('../invoke');
    expect(utf8Length('abc')).toBe(3);
    expect(utf8Length('é')).toBe(2);
    expect(utf8Length('€')).toBe(3);
    expect(utf8Length('😀')).toBe(4);
  });
});
