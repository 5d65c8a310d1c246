/**
 * Names that read when clipped: generated job names such as
 * `sklearn-2026-12-02-05-23-30-784` share their start, so clipping their end
 * (as CSS does) hides the one part that tells them apart.
 */

/** The fewest characters kept whole at a name's end. */
export const MIN_TAIL = 8;
/** The most: a longer tail would push the name's start out of the row. */
export const MAX_TAIL = 22;

/** A name split into a start that may be clipped and an end kept whole. */
export interface INameParts {
  head: string;
  tail: string;
}

const SEPARATORS = /[-_.:/]/;

/** The length of the common start of two strings. */
function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) {
    i++;
  }
  return i;
}

/** The start of the word that holds index `at` (just after a separator). */
function wordStart(name: string, at: number): number {
  let i = Math.min(Math.max(at, 0), name.length);
  while (i > 0 && !SEPARATORS.test(name[i - 1])) {
    i--;
  }
  return i;
}

/**
 * Split a name of a list where it differs from the others: the tail starts at
 * the word where the name leaves its longest common start with any other name,
 * so that a list of `sklearn-2026-12-02-05-23-…` names shows their times. The
 * tail is kept between {@link MIN_TAIL} and {@link MAX_TAIL} characters,
 * aligned to a word where it can be; a name that differs from the others in its
 * first word (or is alone) is all head.
 */
export function nameParts(
  name: string,
  others: ReadonlyArray<string>
): INameParts {
  let shared = 0;
  for (const other of others) {
    if (other !== name) {
      shared = Math.max(shared, commonPrefix(name, other));
    }
  }
  let start = wordStart(name, shared);
  if (start === 0) {
    return { head: name, tail: '' };
  }
  if (name.length - start < MIN_TAIL) {
    start = wordStart(name, name.length - MIN_TAIL);
  }
  if (name.length - start > MAX_TAIL) {
    // Too long to keep whole: its last words, or its last characters.
    const aligned = name.length - MAX_TAIL;
    const next = name.slice(aligned).search(SEPARATORS);
    start =
      next >= 0 && name.length - (aligned + next + 1) >= MIN_TAIL
        ? aligned + next + 1
        : aligned;
  }
  if (start <= 0) {
    return { head: name, tail: '' };
  }
  return { head: name.slice(0, start), tail: name.slice(start) };
}

/** A generated name: a base, then `YYYY-MM-DD-HH-MM-SS-mmm`. */
const GENERATED =
  /^(.+?)-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})(-\d{1,3})?$/;

/** The longest tab label before it is shortened. */
export const TAB_LABEL_MAX = 24;

/**
 * A job's tab label, short enough for a tab and keeping what tells jobs
 * apart: a generated name keeps its base and its time of day
 * (`sklearn…05-23-30-784`), another long name its first and last characters
 * around an ellipsis. The tab's caption has the full name.
 */
export function tabLabel(name: string): string {
  if (name.length <= TAB_LABEL_MAX) {
    return name;
  }
  const generated = GENERATED.exec(name);
  if (generated) {
    const base = generated[1].slice(0, 10);
    const time = [generated[5], generated[6], generated[7]].join('-');
    return `${base}…${time}${generated[8] ?? ''}`;
  }
  const tail = 14;
  return `${name.slice(0, TAB_LABEL_MAX - tail - 1)}…${name.slice(-tail)}`;
}
