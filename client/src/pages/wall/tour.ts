// The unattended tour (无人值守巡航): a playlist of camera stops that loops forever. An alert (a new
// urgent or overdue case) interrupts it — fly there, hold, then resume where the tour was; someone
// touching the screen pauses it until the screen has been left alone for a while. No DOM and no
// map here: the page supplies `fly` and `show`, so the timing logic is testable with fake timers.

export interface TourStop {
  /** Stable key, e.g. "district", "division:DEMO0001", "hotspot:1". */
  key: string;
  title: string;
  subtitle?: string;
}

export interface TourAlert {
  key: string;
  /** Higher goes first: an urgent case (1) goes ahead of overdue ones (0) and cuts a lesser alert short. */
  priority?: number;
}

const priorityOf = (a: TourAlert) => a.priority ?? 0;
/** Alerts waiting at most; past it the oldest of the lowest priority is dropped. */
const MAX_QUEUED = 5;

export type TourState = 'off' | 'flying' | 'dwell' | 'alert' | 'paused';

export interface TourHooks<S extends TourStop, A extends TourAlert> {
  /** Expand the playlist into stops when a round starts (hotspots change from round to round). */
  stops(): S[];
  /** Fly to a stop; resolves when the camera arrives (or the flight is cancelled). */
  fly(stop: S): Promise<void>;
  /** Fly to an alert. */
  flyAlert(alert: A): Promise<void>;
  /** The state, the current stop, its index and the round's length changed. */
  onChange?(state: TourState, stop: S | null, index: number, count: number, alert: A | null): void;
}

export interface TourTiming {
  dwellMs: number;
  alertMs: number;
  idleMs: number;
}

export class Tour<S extends TourStop, A extends TourAlert> {
  state: TourState = 'off';
  index = -1;
  /** Stops visited since start (for tests and the status line). */
  advanced = 0;
  alertsShown = 0;
  private round: S[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private queue: A[] = [];
  private current: A | null = null;
  /** Every scheduled step carries the generation it was scheduled in; stale ones do nothing. */
  private gen = 0;
  /** The tour runs (start) or was stopped (stopTour); alerts are shown either way. */
  private enabled = false;
  /** When the current dwell started and how long it lasts (for progress bars). */
  dwellStartedAt = 0;
  dwellMs = 0;

  constructor(private readonly hooks: TourHooks<S, A>, private timing: TourTiming) {}

  get stop(): S | null {
    return this.round[this.index] ?? null;
  }

  get alert(): A | null {
    return this.current;
  }

  get count(): number {
    return this.round.length;
  }

  setTiming(t: Partial<TourTiming>): void {
    this.timing = { ...this.timing, ...t };
  }

  start(): void {
    this.enabled = true;
    if (this.state !== 'off') return;
    this.index = -1;
    this.round = [];
    this.advance();
  }

  stopTour(): void {
    this.enabled = false;
    this.gen++;
    this.clear();
    this.current = null;
    this.queue = [];
    this.state = 'off';
    this.emit();
  }

  /** Skip to the next stop now (an operator's "next", or tests fast-forwarding). */
  next(): void {
    if (this.state === 'off' || this.state === 'alert') return;
    this.advance();
  }

  /** Someone touched the screen: hold the tour until it has been idle for idleMs. */
  userActivity(): void {
    if (this.state === 'off') return;
    const g = ++this.gen;
    this.clear();
    this.current = null;
    this.queue = [];
    this.state = 'paused';
    this.emit();
    this.timer = setTimeout(() => {
      if (g === this.gen) this.resume();
    }, this.timing.idleMs);
  }

  /**
   * Show an alert now, or after the current one and those of its priority or higher. Alerts with a
   * key already queued or shown are dropped. A burst of overdue cases cannot hold back an urgent one.
   */
  interrupt(a: A): void {
    if (this.current?.key === a.key || this.queue.some((q) => q.key === a.key)) return;
    const p = priorityOf(a);
    const at = this.queue.findIndex((q) => priorityOf(q) < p);
    if (at < 0) this.queue.push(a);
    else this.queue.splice(at, 0, a);
    if (this.queue.length > MAX_QUEUED) {
      const lowest = Math.min(...this.queue.map(priorityOf));
      this.queue.splice(this.queue.findIndex((q) => priorityOf(q) === lowest), 1);
    }
    if (this.state !== 'alert' || (this.current && p > priorityOf(this.current))) this.nextAlert();
  }

  private nextAlert(): void {
    const a = this.queue.shift();
    if (!a) {
      this.current = null;
      if (this.enabled) this.resume();
      else {
        // A stopped tour stays stopped: the alert was shown, the camera stays there.
        this.state = 'off';
        this.emit();
      }
      return;
    }
    const g = ++this.gen;
    this.clear();
    this.current = a;
    this.alertsShown++;
    this.state = 'alert';
    this.emit();
    void this.hooks.flyAlert(a).then(() => {
      if (g !== this.gen) return;
      this.timer = setTimeout(() => {
        if (g === this.gen) this.nextAlert();
      }, this.timing.alertMs);
    });
  }

  /** Back to the current stop (after an alert or a pause), dwelling there afresh. */
  private resume(): void {
    if (this.index < 0 || !this.stop) {
      this.advance();
      return;
    }
    this.goTo(this.index);
  }

  private advance(): void {
    let i = this.index + 1;
    if (i >= this.round.length) {
      this.round = this.hooks.stops();
      i = 0;
      if (this.round.length === 0) {
        this.state = 'off';
        this.emit();
        return;
      }
    }
    this.advanced++;
    this.goTo(i);
  }

  private goTo(i: number): void {
    const g = ++this.gen;
    this.clear();
    this.index = i;
    this.current = null;
    this.state = 'flying';
    this.emit();
    void this.hooks.fly(this.round[i]!).then(() => {
      if (g !== this.gen) return;
      this.state = 'dwell';
      this.dwellStartedAt = Date.now();
      this.dwellMs = this.timing.dwellMs;
      this.emit();
      this.timer = setTimeout(() => {
        if (g === this.gen) this.advance();
      }, this.timing.dwellMs);
    });
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private emit(): void {
    this.hooks.onChange?.(this.state, this.stop, this.index, this.round.length, this.current);
  }
}
