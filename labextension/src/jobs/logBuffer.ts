import { ILogEvent } from './tokens';

/** Lines kept in memory by default; older ones are dropped. */
export const DEFAULT_MAX_LINES = 50000;

/** Occurrences of the search counted at most (the count reads "10000+"). */
export const MAX_MATCHES = 10000;

/** One occurrence of the search text. */
export interface ILogMatch {
  /** Absolute line number (counting dropped lines), 0-based. */
  line: number;
  /** Offset of the occurrence in the line. */
  start: number;
}

/**
 * A job's log lines with a cap, and a case-insensitive literal search over
 * them that follows appends and drops incrementally.
 */
export class LogBuffer {
  constructor(maxLines = DEFAULT_MAX_LINES) {
    this._maxLines = Math.max(1, maxLines);
  }

  /** The kept lines, oldest first. */
  get lines(): ReadonlyArray<ILogEvent> {
    return this._lines;
  }

  /** Lines dropped from the start to stay under the cap. */
  get dropped(): number {
    return this._dropped;
  }

  get maxLines(): number {
    return this._maxLines;
  }

  /** Lines received in all. */
  get total(): number {
    return this._dropped + this._lines.length;
  }

  /** The search text ("" for none). */
  get query(): string {
    return this._query;
  }

  get matches(): ReadonlyArray<ILogMatch> {
    return this._matches;
  }

  /** True when the match count reached MAX_MATCHES. */
  get matchesCapped(): boolean {
    return this._matches.length >= MAX_MATCHES;
  }

  /** Index in `matches` of the current match, or -1. */
  get current(): number {
    return this._current;
  }

  get currentMatch(): ILogMatch | null {
    return this._current >= 0 ? this._matches[this._current] : null;
  }

  /** The kept line of an absolute line number, or undefined. */
  line(absolute: number): ILogEvent | undefined {
    return this._lines[absolute - this._dropped];
  }

  /** Append lines; drop the oldest beyond the cap. */
  append(events: ReadonlyArray<ILogEvent>): void {
    if (events.length === 0) {
      return;
    }
    const first = this.total;
    for (const event of events) {
      // A message may hold several lines; each is a row of the view.
      const parts = String(event.message ?? '').split(/\r?\n/);
      if (parts.length > 1 && parts[parts.length - 1] === '') {
        parts.pop();
      }
      for (const message of parts) {
        this._lines.push({ timestamp: event.timestamp, message });
      }
    }
    if (this._query) {
      this._scan(first);
    }
    const excess = this._lines.length - this._maxLines;
    if (excess > 0) {
      this._lines.splice(0, excess);
      this._dropped += excess;
      this._dropMatchesBefore(this._dropped);
    }
  }

  /** Set the search text; the first match becomes current. */
  setQuery(query: string): void {
    if (query === this._query) {
      return;
    }
    this._query = query;
    this._needle = query.toLowerCase();
    this._matches = [];
    this._current = -1;
    if (query) {
      this._scan(this._dropped);
    }
  }

  /** Move to the next match (wrapping); returns it. */
  next(): ILogMatch | null {
    return this._move(1);
  }

  /** Move to the previous match (wrapping); returns it. */
  previous(): ILogMatch | null {
    return this._move(-1);
  }

  /** Where the search text occurs in a line (offsets), case-insensitive. */
  static find(text: string, needle: string): number[] {
    const found: number[] = [];
    if (!needle) {
      return found;
    }
    const haystack = text.toLowerCase();
    let at = haystack.indexOf(needle);
    while (at !== -1) {
      found.push(at);
      at = haystack.indexOf(needle, at + needle.length);
    }
    return found;
  }

  private _move(step: number): ILogMatch | null {
    const count = this._matches.length;
    if (count === 0) {
      this._current = -1;
      return null;
    }
    if (this._current < 0) {
      this._current = step > 0 ? 0 : count - 1;
    } else {
      this._current = (this._current + step + count) % count;
    }
    return this._matches[this._current];
  }

  /** Find the search text in lines from an absolute number on. */
  private _scan(fromAbsolute: number): void {
    const startIndex = Math.max(0, fromAbsolute - this._dropped);
    for (let i = startIndex; i < this._lines.length; i++) {
      if (this._matches.length >= MAX_MATCHES) {
        break;
      }
      for (const start of LogBuffer.find(
        this._lines[i].message,
        this._needle
      )) {
        this._matches.push({ line: this._dropped + i, start });
        if (this._matches.length >= MAX_MATCHES) {
          break;
        }
      }
    }
    if (this._current < 0 && this._matches.length > 0) {
      this._current = 0;
    }
  }

  private _dropMatchesBefore(absolute: number): void {
    let removed = 0;
    while (
      removed < this._matches.length &&
      this._matches[removed].line < absolute
    ) {
      removed++;
    }
    if (removed === 0) {
      return;
    }
    this._matches.splice(0, removed);
    if (this._current >= 0) {
      this._current = this._matches.length
        ? Math.max(0, this._current - removed)
        : -1;
    }
  }

  private _lines: ILogEvent[] = [];
  private _dropped = 0;
  private _maxLines: number;
  private _query = '';
  private _needle = '';
  private _matches: ILogMatch[] = [];
  private _current = -1;
}
