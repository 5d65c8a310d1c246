import { AutoScroll } from '../autoScroll';
import { LogBuffer, MAX_MATCHES } from '../logBuffer';
import { LogFollower } from '../logFollower';
import { ILogEvents } from '../tokens';

const ev = (...messages: string[]) =>
  messages.map((message, i) => ({ timestamp: i, message }));

describe('LogBuffer', () => {
  it('keeps at most maxLines, dropping the oldest', () => {
    const buffer = new LogBuffer(3);
    buffer.append(ev('a', 'b'));
    buffer.append(ev('c', 'd', 'e'));
    expect(buffer.lines.map(l => l.message)).toEqual(['c', 'd', 'e']);
    expect(buffer.dropped).toBe(2);
    expect(buffer.total).toBe(5);
    expect(buffer.line(2)?.message).toBe('c');
    expect(buffer.line(0)).toBeUndefined();
  });

  it('splits multi-line messages into rows', () => {
    const buffer = new LogBuffer();
    buffer.append(ev('one\ntwo\r\nthree\n'));
    expect(buffer.lines.map(l => l.message)).toEqual(['one', 'two', 'three']);
  });

  it('finds text in any case, follows appends, and counts every occurrence', () => {
    const buffer = new LogBuffer();
    buffer.append(ev('Epoch 1 loss=0.5', 'epoch 2 LOSS=0.4 loss'));
    buffer.setQuery('LoSs');
    expect(buffer.matches).toEqual([
      { line: 0, start: 8 },
      { line: 1, start: 8 },
      { line: 1, start: 17 }
    ]);
    expect(buffer.current).toBe(0);
    buffer.append(ev('no match', 'final loss'));
    expect(buffer.matches.length).toBe(4);
    expect(buffer.matches[3]).toEqual({ line: 3, start: 6 });
  });

  it('moves next and previous with wrap-around', () => {
    const buffer = new LogBuffer();
    buffer.append(ev('x', 'x', 'x'));
    buffer.setQuery('x');
    expect(buffer.next()?.line).toBe(1);
    expect(buffer.next()?.line).toBe(2);
    expect(buffer.next()?.line).toBe(0);
    expect(buffer.previous()?.line).toBe(2);
    buffer.setQuery('nothing');
    expect(buffer.next()).toBeNull();
    expect(buffer.current).toBe(-1);
  });

  it('drops matches with their lines and keeps the current one in range', () => {
    const buffer = new LogBuffer(2);
    buffer.append(ev('hit', 'hit'));
    buffer.setQuery('hit');
    buffer.next();
    buffer.append(ev('hit'));
    expect(buffer.matches.map(m => m.line)).toEqual([1, 2]);
    expect(buffer.currentMatch?.line).toBe(1);
  });

  it('stops counting at MAX_MATCHES', () => {
    const buffer = new LogBuffer();
    buffer.append(ev('a'.repeat(MAX_MATCHES + 5)));
    buffer.setQuery('a');
    expect(buffer.matches.length).toBe(MAX_MATCHES);
    expect(buffer.matchesCapped).toBe(true);
  });

  it('stays fast with 100k lines under a 50k cap', () => {
    const buffer = new LogBuffer(50000);
    buffer.setQuery('step 99');
    const started = Date.now();
    for (let page = 0; page < 100; page++) {
      buffer.append(
        Array.from({ length: 1000 }, (_, i) => ({
          timestamp: 0,
          message: `step ${page * 1000 + i} loss=0.1`
        }))
      );
    }
    expect(buffer.lines.length).toBe(50000);
    expect(buffer.dropped).toBe(50000);
    expect(buffer.matches.every(m => m.line >= 50000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('LogFollower', () => {
  /** A log of numbered lines served in pages of `size`. */
  function fakeLog(lines: string[], size = 2) {
    const calls: Array<string | undefined> = [];
    const fetchPage = async (
      token: string | undefined
    ): Promise<ILogEvents> => {
      calls.push(token);
      const from = token ? Number(token) : 0;
      const page = lines.slice(from, from + size);
      return {
        events: page.map(message => ({ timestamp: 0, message })),
        nextForwardToken: String(from + page.length)
      };
    };
    return { calls, fetchPage };
  }

  it('pages with nextForwardToken until it stops advancing', async () => {
    const lines = ['a', 'b', 'c', 'd', 'e'];
    const log = fakeLog(lines);
    const follower = new LogFollower({ fetchPage: log.fetchPage });
    expect(await follower.step(false)).toBe(5);
    expect(log.calls).toEqual([undefined, '2', '4', '5']);
    expect(follower.token).toBe('5');
    expect(follower.done).toBe(false);
    lines.push('f');
    expect(await follower.step(false)).toBe(1);
    expect(follower.buffer.lines.map(l => l.message).join('')).toBe('abcdef');
  });

  it('is done once the job is terminal and nothing new comes', async () => {
    const log = fakeLog(['a']);
    const follower = new LogFollower({ fetchPage: log.fetchPage });
    await follower.step(false);
    expect(follower.done).toBe(false);
    await follower.step(true);
    expect(follower.done).toBe(true);
    const before = log.calls.length;
    expect(await follower.step(true)).toBe(0);
    expect(log.calls.length).toBe(before);
  });

  it('caps what it keeps', async () => {
    const log = fakeLog(['1', '2', '3', '4', '5', '6'], 4);
    const follower = new LogFollower({ fetchPage: log.fetchPage, maxLines: 4 });
    await follower.step(true);
    expect(follower.buffer.lines.map(l => l.message)).toEqual([
      '3',
      '4',
      '5',
      '6'
    ]);
    expect(follower.buffer.dropped).toBe(2);
  });

  it('does not advance on an error, and reads on afterwards', async () => {
    let fail = true;
    const log = fakeLog(['a', 'b']);
    const follower = new LogFollower({
      fetchPage: async token => {
        if (fail) {
          throw new Error('down');
        }
        return log.fetchPage(token);
      }
    });
    await expect(follower.step(false)).rejects.toThrow('down');
    fail = false;
    await follower.step(false);
    expect(follower.buffer.total).toBe(2);
  });
});

describe('AutoScroll', () => {
  it('follows until the user scrolls up, and again at the bottom', () => {
    const scroll = new AutoScroll();
    expect(scroll.following).toBe(true);
    // The view followed new lines: still at the bottom.
    expect(scroll.onScroll(600, 400, 1000)).toBe(false);
    expect(scroll.following).toBe(true);
    // The user scrolled up.
    expect(scroll.onScroll(300, 400, 1000)).toBe(true);
    expect(scroll.following).toBe(false);
    // New lines grew the content; the user stays where they were.
    scroll.onScroll(300, 400, 1200);
    expect(scroll.following).toBe(false);
    // Back at the bottom: following again.
    scroll.onScroll(800, 400, 1200);
    expect(scroll.following).toBe(true);
  });

  it('pauses for a search jump and resumes on request', () => {
    const scroll = new AutoScroll();
    scroll.pause();
    expect(scroll.following).toBe(false);
    scroll.resume();
    expect(scroll.following).toBe(true);
  });
});
