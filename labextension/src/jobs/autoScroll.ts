/** How close to the bottom (px) still counts as "at the bottom". */
export const BOTTOM_SLACK = 24;

/**
 * Whether the log view follows new lines: it does until the user scrolls up,
 * and again once they scroll back to the bottom (or ask to).
 */
export class AutoScroll {
  get following(): boolean {
    return this._following;
  }

  /**
   * The view scrolled. Returns true when following changed. Scrolls the view
   * made itself (to follow) must be reported too; they end at the bottom.
   */
  onScroll(
    scrollTop: number,
    clientHeight: number,
    scrollHeight: number
  ): boolean {
    const atBottom = scrollTop + clientHeight >= scrollHeight - BOTTOM_SLACK;
    const scrolledUp = scrollTop < this._lastTop;
    this._lastTop = scrollTop;
    let next = this._following;
    if (atBottom) {
      next = true;
    } else if (scrolledUp) {
      next = false;
    }
    if (next !== this._following) {
      this._following = next;
      return true;
    }
    return false;
  }

  /** Stop following (e.g. when jumping to a search match). */
  pause(): void {
    this._following = false;
  }

  /** Follow again (the "Follow" button). */
  resume(): void {
    this._following = true;
  }

  private _following = true;
  private _lastTop = 0;
}
