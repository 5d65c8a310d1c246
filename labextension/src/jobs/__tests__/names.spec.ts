import { MAX_TAIL, MIN_TAIL, nameParts, tabLabel } from '../names';

describe('nameParts', () => {
  const a = 'sklearn-2026-12-02-05-23-30-784';
  const b = 'sklearn-2026-12-02-05-24-10-001';

  it('keeps whole the words where generated names differ', () => {
    expect(nameParts(a, [a, b])).toEqual({
      head: 'sklearn-2026-12-02-05-',
      tail: '23-30-784'
    });
    expect(nameParts(b, [a, b]).tail).toBe('24-10-001');
  });

  it('keeps at least a few characters of the end', () => {
    const c = 'sklearn-2026-12-02-05-23-30-785';
    const { head, tail } = nameParts(a, [a, c]);
    expect(head + tail).toBe(a);
    expect(tail.length).toBeGreaterThanOrEqual(MIN_TAIL);
    expect(tail).toBe('23-30-784');
  });

  it('caps the end it keeps, starting at a word where it can', () => {
    const long = 'experiment-alpha-beta-gamma-delta-epsilon-one';
    const other = 'experiment-zeta';
    const { head, tail } = nameParts(long, [long, other]);
    expect(head + tail).toBe(long);
    expect(tail.length).toBeLessThanOrEqual(MAX_TAIL);
    expect(tail).toBe('delta-epsilon-one');
  });

  it('leaves alone a name that differs at its start, or is alone', () => {
    expect(nameParts(a, [a, 'datascience-2026-12-02-05-23-30-784'])).toEqual({
      head: a,
      tail: ''
    });
    expect(nameParts(a, [a])).toEqual({ head: a, tail: '' });
    expect(nameParts(a, [])).toEqual({ head: a, tail: '' });
  });
});

describe('tabLabel', () => {
  it('keeps a generated name’s base and time of day', () => {
    expect(tabLabel('sklearn-2026-12-02-05-23-30-784')).toBe(
      'sklearn…05-23-30-784'
    );
    expect(tabLabel('datascience-processing-2026-12-02-05-23-30-784')).toBe(
      'datascienc…05-23-30-784'
    );
  });

  it('keeps short names and shortens long ones around an ellipsis', () => {
    expect(tabLabel('forest-job')).toBe('forest-job');
    const label = tabLabel('a-very-long-hand-written-job-name-number-two');
    expect(label.length).toBeLessThanOrEqual(24);
    expect(label.startsWith('a-very-lo')).toBe(true);
    expect(label.endsWith('ame-number-two')).toBe(true);
  });
});
