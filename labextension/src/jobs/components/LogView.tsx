import * as React from 'react';

import { AutoScroll } from '../autoScroll';
import { LogBuffer } from '../logBuffer';

/** Height of one log line in px (the CSS sets the same). */
export const LINE_HEIGHT = 18;
/** Lines rendered above and below the visible ones. */
const OVERSCAN = 20;

export interface ILogViewProps {
  buffer: LogBuffer;
  /** Changes whenever lines arrive (forces a render). */
  version: number;
  /** True while more lines may come. */
  live: boolean;
}

/** The parts of a line, with the search matches marked. */
function highlight(
  text: string,
  needle: string,
  absolute: number,
  current: { line: number; start: number } | null
): React.ReactNode {
  const starts = needle ? LogBuffer.find(text, needle) : [];
  if (starts.length === 0) {
    return text;
  }
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (const start of starts) {
    parts.push(text.slice(at, start));
    const isCurrent =
      current !== null && current.line === absolute && current.start === start;
    parts.push(
      <mark
        key={start}
        className={`jp-AtelierJobs-logMatch${isCurrent ? ' jp-mod-current' : ''}`}
      >
        {text.slice(start, start + needle.length)}
      </mark>
    );
    at = start + needle.length;
  }
  parts.push(text.slice(at));
  return parts;
}

/**
 * The job's log: only the visible lines are in the DOM, so 100k lines stay
 * fast. It follows new lines until the user scrolls up; a search box finds
 * text (case-insensitive) with next/previous.
 */
export function LogView(props: ILogViewProps): JSX.Element {
  const { buffer, version, live } = props;
  const scroller = React.useRef<HTMLDivElement>(null);
  const autoScroll = React.useRef(new AutoScroll());
  const [scrollTop, setScrollTop] = React.useState(0);
  const [height, setHeight] = React.useState(400);
  const [query, setQuery] = React.useState(buffer.query);
  const [, setSearchVersion] = React.useState(0);
  const [following, setFollowing] = React.useState(true);

  const total = buffer.lines.length;

  // Follow: keep the bottom in view after new lines.
  React.useLayoutEffect(() => {
    const node = scroller.current;
    if (node && autoScroll.current.following) {
      node.scrollTop = node.scrollHeight;
    }
  }, [version, total]);

  React.useEffect(() => {
    const node = scroller.current;
    if (!node || typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(() =>
      setHeight(node.clientHeight || 400)
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, []);

  const onScroll = (): void => {
    const node = scroller.current;
    if (!node) {
      return;
    }
    setScrollTop(node.scrollTop);
    autoScroll.current.onScroll(
      node.scrollTop,
      node.clientHeight,
      node.scrollHeight
    );
    setFollowing(autoScroll.current.following);
  };

  const reveal = (match: { line: number } | null): void => {
    const node = scroller.current;
    setSearchVersion(v => v + 1);
    if (!match || !node) {
      return;
    }
    autoScroll.current.pause();
    setFollowing(false);
    const index = match.line - buffer.dropped;
    node.scrollTop = Math.max(0, index * LINE_HEIGHT - node.clientHeight / 2);
    setScrollTop(node.scrollTop);
  };

  const onQuery = (value: string): void => {
    setQuery(value);
    buffer.setQuery(value);
    reveal(buffer.currentMatch);
  };

  const first = Math.max(0, Math.floor(scrollTop / LINE_HEIGHT) - OVERSCAN);
  const last = Math.min(
    total,
    Math.ceil((scrollTop + height) / LINE_HEIGHT) + OVERSCAN
  );
  const needle = buffer.query.toLowerCase();
  const current = buffer.currentMatch;
  const rows: JSX.Element[] = [];
  for (let i = first; i < last; i++) {
    const absolute = buffer.dropped + i;
    const line = buffer.lines[i];
    rows.push(
      <div
        key={absolute}
        className="jp-AtelierJobs-logLine"
        data-line={absolute + 1}
      >
        {highlight(line.message, needle, absolute, current)}
      </div>
    );
  }
  const count = buffer.matches.length;
  const countLabel = !buffer.query
    ? ''
    : count === 0
      ? 'No matches'
      : `${buffer.current + 1} of ${count}${buffer.matchesCapped ? '+' : ''}`;

  return (
    <section
      className="jp-AtelierJobs-section jp-AtelierJobs-logs"
      aria-label="Logs"
    >
      <div className="jp-AtelierJobs-logToolbar">
        <h3>Logs</h3>
        <input
          type="search"
          className="jp-AtelierJobs-input jp-AtelierJobs-logSearch"
          data-testid="job-log-search"
          placeholder="Search the log"
          aria-label="Search the log"
          value={query}
          onChange={event => onQuery(event.target.value)}
          onKeyDown={event => {
            if (event.key === 'Enter') {
              event.preventDefault();
              reveal(event.shiftKey ? buffer.previous() : buffer.next());
            }
          }}
        />
        <span
          className="jp-AtelierJobs-matchCount"
          data-testid="job-log-match-count"
          aria-live="polite"
        >
          {countLabel}
        </span>
        <button
          type="button"
          className="jp-AtelierJobs-button"
          aria-label="Previous match"
          title="Previous match (Shift+Enter)"
          disabled={count === 0}
          onClick={() => reveal(buffer.previous())}
        >
          ↑
        </button>
        <button
          type="button"
          className="jp-AtelierJobs-button"
          aria-label="Next match"
          title="Next match (Enter)"
          disabled={count === 0}
          onClick={() => reveal(buffer.next())}
        >
          ↓
        </button>
        <button
          type="button"
          className="jp-AtelierJobs-button"
          data-testid="job-log-follow"
          aria-label="Follow the log"
          title={
            following
              ? 'Following new lines'
              : 'Scroll to the end and follow new lines'
          }
          aria-pressed={following}
          onClick={() => {
            autoScroll.current.resume();
            setFollowing(true);
            const node = scroller.current;
            if (node) {
              node.scrollTop = node.scrollHeight;
            }
          }}
        >
          {following ? (live ? 'Following' : 'At end') : 'Follow'}
        </button>
      </div>
      {buffer.dropped > 0 && (
        <p className="jp-AtelierJobs-notice" data-testid="job-log-capped">
          Showing the last {buffer.maxLines.toLocaleString()} lines;{' '}
          {buffer.dropped.toLocaleString()} earlier lines are not kept here.
        </p>
      )}
      <div
        ref={scroller}
        className="jp-AtelierJobs-logScroller"
        data-testid="job-log"
        role="log"
        aria-label="Job log"
        tabIndex={0}
        onScroll={onScroll}
      >
        <div style={{ height: total * LINE_HEIGHT, position: 'relative' }}>
          <div
            style={{
              position: 'absolute',
              top: first * LINE_HEIGHT,
              left: 0,
              right: 0
            }}
          >
            {rows}
          </div>
        </div>
        {total === 0 && (
          <p className="jp-AtelierJobs-muted jp-AtelierJobs-logEmpty">
            {live ? 'Waiting for log lines…' : 'The log is empty.'}
          </p>
        )}
      </div>
    </section>
  );
}
