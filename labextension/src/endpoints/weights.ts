import { IDesiredWeightAndCapacity, IVariantSummary } from './tokens';

/** A variant's row of the weights and capacities editor, as typed. */
export interface IVariantEdit {
  VariantName: string;
  weight: string;
  count: string;
}

/** What is wrong with the edit: per variant and field, and for the whole. */
export interface IWeightErrors {
  weight: Record<string, string>;
  count: Record<string, string>;
  /** A problem of all the rows together (every weight 0). */
  form: string | null;
}

/** Most instances one variant may ask for. */
export const MAX_INSTANCE_COUNT = 20;

/** The editor's rows from the endpoint's variants (their desired values). */
export function editsOf(
  variants: ReadonlyArray<IVariantSummary> | null | undefined
): IVariantEdit[] {
  return (variants ?? []).map(v => ({
    VariantName: v.VariantName,
    weight: String(v.DesiredWeight ?? v.CurrentWeight ?? 1),
    count: String(v.DesiredInstanceCount ?? v.CurrentInstanceCount ?? 1)
  }));
}

/** A decimal number as typed, or NaN ("", "1e", "abc"). */
function parseNumber(text: string): number {
  const t = text.trim();
  return /^[+]?(\d+\.?\d*|\.\d+)$/.test(t) ? Number(t) : NaN;
}

/** The errors of an edit; none when it can be sent. */
export function validateEdits(
  edits: ReadonlyArray<IVariantEdit>
): IWeightErrors {
  const errors: IWeightErrors = { weight: {}, count: {}, form: null };
  let total = 0;
  for (const edit of edits) {
    const weight = parseNumber(edit.weight);
    if (Number.isNaN(weight)) {
      errors.weight[edit.VariantName] = 'Give a weight of 0 or more';
    } else {
      total += weight;
    }
    const count = parseNumber(edit.count);
    if (!Number.isInteger(count) || count < 1) {
      errors.count[edit.VariantName] =
        'Give a whole number of instances, 1 or more';
    } else if (count > MAX_INSTANCE_COUNT) {
      errors.count[edit.VariantName] =
        `At most ${MAX_INSTANCE_COUNT} instances a variant`;
    }
  }
  if (edits.length > 0 && !Object.keys(errors.weight).length && !(total > 0)) {
    errors.form = 'At least one variant needs a weight above 0 to take traffic';
  }
  return errors;
}

/** True when the errors stop the edit from being sent. */
export function hasErrors(errors: IWeightErrors): boolean {
  return (
    errors.form !== null ||
    Object.keys(errors.weight).length > 0 ||
    Object.keys(errors.count).length > 0
  );
}

/**
 * The request of a valid edit: the rows whose weight or count differ from
 * the variants' desired values (all of them when `all`).
 */
export function desiredOf(
  edits: ReadonlyArray<IVariantEdit>,
  variants: ReadonlyArray<IVariantSummary> | null | undefined,
  all = false
): IDesiredWeightAndCapacity[] {
  const before = new Map(editsOf(variants).map(e => [e.VariantName, e]));
  return edits
    .filter(edit => {
      const was = before.get(edit.VariantName);
      return (
        all ||
        !was ||
        parseNumber(was.weight) !== parseNumber(edit.weight) ||
        parseNumber(was.count) !== parseNumber(edit.count)
      );
    })
    .map(edit => ({
      VariantName: edit.VariantName,
      DesiredWeight: parseNumber(edit.weight),
      DesiredInstanceCount: parseNumber(edit.count)
    }));
}
