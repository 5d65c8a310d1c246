import { LogBuffer } from './logBuffer';
import { ILogEvents } from './tokens';

/** Pages read in one step at most, so a huge backlog does not block. */
export const MAX_PAGES_PER_STEP = 20;

/**
 * Reads a job's log page by page with `nextForwardToken`, into a capped
 * buffer. `step()` reads until the token stops advancing; once the job is
 * terminal and a step brings nothing new, the follower is done.
 */
export class LogFollower {
  constructor(options: LogFollower.IOptions) {
    this._fetchPage = options.fetchPage;
    this.buffer = new LogBuffer(options.maxLines);
  }

  readonly buffer: LogBuffer;

  /** The token to read on from (undefined: from the start). */
  get token(): string | undefined {
    return this._token;
  }

  /** True once the whole log of a finished job is read. */
  get done(): boolean {
    return this._done;
  }

  /**
   * Read what is new. `terminal` says the job has finished (as of a describe
   * made before this call). Returns the number of new events.
   */
  async step(terminal: boolean): Promise<number> {
    if (this._done) {
      return 0;
    }
    let received = 0;
    for (let page = 0; page < MAX_PAGES_PER_STEP; page++) {
      const body = await this._fetchPage(this._token);
      const events = Array.isArray(body?.events) ? body.events : [];
      const next = body?.nextForwardToken;
      const advanced =
        next !== undefined && next !== null && next !== this._token;
      this.buffer.append(events);
      received += events.length;
      if (advanced) {
        this._token = next;
      }
      if (!advanced || events.length === 0) {
        if (terminal) {
          this._done = true;
        }
        break;
      }
    }
    return received;
  }

  private _fetchPage: (token: string | undefined) => Promise<ILogEvents>;
  private _token: string | undefined = undefined;
  private _done = false;
}

export namespace LogFollower {
  export interface IOptions {
    /** `GET .../logs?nextToken=` (no token: from the start). */
    fetchPage: (token: string | undefined) => Promise<ILogEvents>;
    /** Lines kept in memory. */
    maxLines?: number;
  }
}
