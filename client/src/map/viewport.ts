// Loading a layer by viewport (engine-agnostic, no map engine imported). A page first asks the
// server for the whole district; when the answer is complete (not truncated at the server's
// MAX_FEATURES), that is all it ever needs. When it is truncated (a city-sized district), the page
// keeps to what the view shows: it asks for the view's box, with a margin so small pans need no
// request, and asks again when the view leaves the loaded box or, if that answer was truncated
// too, when the view has shrunk enough (zoomed in) to hope for a complete one.
//
// planLoad is the pure decision; ViewportLoader adds debouncing, aborting a superseded request and
// ordering (an old answer never replaces a newer one).
import type { BBox } from '../../../core/bbox.js';

/** What is on the page now. bbox null = the whole district was asked for. */
export interface LoadedArea {
  bbox: BBox | null;
  /** The view that led to this load (null for the district load). */
  view: BBox | null;
  truncated: boolean;
}

export interface PlanOptions {
  /** The district's box: no request reaches beyond it. */
  limits: BBox;
  /** Margin added on each side of the view, as a share of its width/height. */
  margin?: number;
  /** A truncated answer is retried once the view's area is at most this share of the view that gave it. */
  shrink?: number;
}

export const bboxArea = (b: BBox): number => Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);

export function bboxContains(outer: BBox, inner: BBox): boolean {
  return inner[0] >= outer[0] && inner[1] >= outer[1] && inner[2] <= outer[2] && inner[3] <= outer[3];
}

/** The common part of two boxes, or null when they do not overlap. */
export function bboxIntersect(a: BBox, b: BBox): BBox | null {
  const out: BBox = [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])];
  return out[0] < out[2] && out[1] < out[3] ? out : null;
}

export function bboxPad(b: BBox, share: number): BBox {
  const dx = (b[2] - b[0]) * share;
  const dy = (b[3] - b[1]) * share;
  return [b[0] - dx, b[1] - dy, b[2] + dx, b[3] + dy];
}

export type Plan = { kind: 'keep' } | { kind: 'load'; bbox: BBox; view: BBox } | { kind: 'empty'; view: BBox };

/** What to do after the view changed to `view`. */
export function planLoad(loaded: LoadedArea, view: BBox, o: PlanOptions): Plan {
  // The whole district is on the page: nothing more to ask for.
  if (loaded.bbox === null && !loaded.truncated) return { kind: 'keep' };
  const seen = bboxIntersect(view, o.limits);
  if (!seen) return loaded.bbox !== null && bboxArea(loaded.bbox) === 0 ? { kind: 'keep' } : { kind: 'empty', view };
  const inside = loaded.bbox !== null && bboxContains(loaded.bbox, seen);
  if (inside && !loaded.truncated) return { kind: 'keep' };
  if (inside && loaded.truncated && loaded.view && bboxArea(seen) > (o.shrink ?? 0.5) * bboxArea(loaded.view)) return { kind: 'keep' };
  const bbox = bboxIntersect(bboxPad(seen, o.margin ?? 0.25), o.limits) ?? seen;
  return { kind: 'load', bbox, view: seen };
}

export interface ViewportLoaderOptions<T extends { truncated?: boolean }> extends PlanOptions {
  /** Ask the server for one box. */
  fetch: (bbox: BBox, signal: AbortSignal) => Promise<T>;
  /** A new answer is on the page (`bbox` null = the whole district). */
  onData: (data: T, area: LoadedArea) => void;
  /** No part of the district is in view. */
  onEmpty?: (area: LoadedArea) => void;
  onError?: (e: unknown) => void;
  /** Wait this long after the last view change before asking (ms). */
  debounceMs?: number;
}

export class ViewportLoader<T extends { truncated?: boolean }> {
  private area: LoadedArea;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inflight: AbortController | null = null;
  private lastView: BBox | null = null;
  private seq = 0;
  /** Resolves when no request is waiting or in flight (for tests and page hooks). */
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly o: ViewportLoaderOptions<T>, first: T) {
    this.area = { bbox: null, view: null, truncated: Boolean(first.truncated) };
  }

  get loaded(): LoadedArea {
    return this.area;
  }

  get busy(): boolean {
    return this.timer !== null || this.inflight !== null;
  }

  /** The view changed (debounced). */
  viewChanged(view: BBox): void {
    this.lastView = view;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.apply(planLoad(this.area, view, this.o));
    }, this.o.debounceMs ?? 250);
  }

  /** The data changed on the server (e.g. a layout was published): ask again for what is shown. */
  reload(): void {
    const view = this.lastView ?? this.o.limits;
    if (this.area.bbox === null) this.apply({ kind: 'load', bbox: this.o.limits, view: this.o.limits }, true);
    else this.apply({ kind: 'load', bbox: this.area.bbox, view: this.area.view ?? view });
  }

  idle(): Promise<void> {
    return this.busy ? new Promise((resolve) => this.idleWaiters.push(resolve)) : Promise.resolve();
  }

  destroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.inflight?.abort();
  }

  private settle(): void {
    if (this.busy) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private apply(plan: Plan, whole = false): void {
    if (plan.kind === 'keep') return this.settle();
    this.inflight?.abort();
    this.inflight = null;
    if (plan.kind === 'empty') {
      this.area = { bbox: [0, 0, 0, 0], view: plan.view, truncated: false };
      this.o.onEmpty?.(this.area);
      return this.settle();
    }
    const ctl = new AbortController();
    this.inflight = ctl;
    const seq = ++this.seq;
    this.o.fetch(plan.bbox, ctl.signal).then((data) => {
      if (seq !== this.seq) return;
      this.area = { bbox: whole ? null : plan.bbox, view: whole ? null : plan.view, truncated: Boolean(data.truncated) };
      this.o.onData(data, this.area);
    }, (e: unknown) => {
      if (seq !== this.seq || ctl.signal.aborted) return;
      this.o.onError?.(e);
    }).finally(() => {
      if (this.inflight === ctl) this.inflight = null;
      this.settle();
    });
  }
}
