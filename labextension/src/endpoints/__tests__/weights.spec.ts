import {
  desiredOf,
  editsOf,
  hasErrors,
  MAX_INSTANCE_COUNT,
  validateEdits
} from '../weights';
import { variant } from './fixtures';

describe('weights and capacities', () => {
  const variants = [
    variant('blue', { DesiredWeight: 3, DesiredInstanceCount: 2 }),
    variant('green', { DesiredWeight: 1, DesiredInstanceCount: 1 })
  ];

  it('starts from the desired values', () => {
    expect(editsOf(variants)).toEqual([
      { VariantName: 'blue', weight: '3', count: '2' },
      { VariantName: 'green', weight: '1', count: '1' }
    ]);
    expect(hasErrors(validateEdits(editsOf(variants)))).toBe(false);
  });

  it('names each bad field', () => {
    const errors = validateEdits([
      { VariantName: 'blue', weight: '-1', count: '0' },
      { VariantName: 'green', weight: 'abc', count: '1.5' },
      { VariantName: 'red', weight: '1', count: String(MAX_INSTANCE_COUNT + 1) }
    ]);
    expect(errors.weight).toEqual({
      blue: 'Give a weight of 0 or more',
      green: 'Give a weight of 0 or more'
    });
    expect(Object.keys(errors.count).sort()).toEqual(['blue', 'green', 'red']);
    expect(errors.count.red).toBe(
      `At most ${MAX_INSTANCE_COUNT} instances a variant`
    );
    expect(errors.form).toBeNull();
  });

  it('refuses every weight at 0, accepts decimals', () => {
    const zero = validateEdits([
      { VariantName: 'a', weight: '0', count: '1' },
      { VariantName: 'b', weight: '0.0', count: '1' }
    ]);
    expect(zero.form).toMatch(/weight above 0/);
    expect(hasErrors(zero)).toBe(true);
    expect(
      hasErrors(validateEdits([{ VariantName: 'a', weight: '.5', count: '1' }]))
    ).toBe(false);
  });

  it('sends the changed rows, or all of them', () => {
    const edits = [
      { VariantName: 'blue', weight: '3', count: '4' },
      { VariantName: 'green', weight: '1', count: '1' }
    ];
    expect(desiredOf(edits, variants)).toEqual([
      { VariantName: 'blue', DesiredWeight: 3, DesiredInstanceCount: 4 }
    ]);
    expect(desiredOf(edits, variants, true)).toHaveLength(2);
  });
});
