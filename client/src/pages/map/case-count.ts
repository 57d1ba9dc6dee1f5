// "显示 300 / 共 1,234": the map loads the latest cases up to a cap (api/socket.ts, limit 300), so
// the figure it shows beside them is the jurisdiction's true count (GET /api/grids/case-figures),
// fetched again, coalesced, whenever cases arrive.
import type { CaseFigures } from '../../../../core/grid-summary.js';
import { api, withQuery } from '../../api/http.js';
import { fmtInt } from '../../shell/dom.js';

export const caseFigures = (division: string) => api.request<CaseFigures>(withQuery('/api/grids/case-figures', { division }));

export const countLabel = (shown: number, total: number | null) =>
  total == null ? `显示 ${fmtInt(shown)}` : shown >= total ? `共 ${fmtInt(total)}` : `显示 ${fmtInt(shown)} / 共 ${fmtInt(total)}`;

/** Keeps `total` current: refresh() after a change fetches again (at most one request in flight, coalesced). */
export class CaseTotal {
  total: number | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  constructor(private readonly division: string, private readonly onChange: (total: number) => void) {}
  load(): Promise<void> {
    return caseFigures(this.division).then(
      (f) => {
        this.total = f.total;
        this.onChange(f.total);
      },
      (e) => console.warn('[gc] case figures failed', e),
    );
  }
  refresh(delayMs = 1500): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.load();
    }, delayMs);
  }
}
