// The wall's figures at a past moment, from the cases' own timestamps (pure): what a replay shows
// instead of today's live figures. A case counts from the moment it was reported; it is open until
// it was resolved, overdue while open past its deadline. Unlocated cases have no point, so they are
// not in the replay's columns (the KPIs say "located cases" while replaying).

/** Case columns as /api/wall/points serves them (epoch seconds; r and d: 0 = none). */
export interface CaseColumns {
  n: number;
  t: ArrayLike<number>;
  r: ArrayLike<number>;
  d: ArrayLike<number>;
  grid: ArrayLike<number>;
}

export interface MomentCounts {
  today: number;
  resolvedToday: number;
  open: number;
  overdue: number;
}

export interface MomentFigures extends MomentCounts {
  /** Per hour over the 24 hours before the moment, oldest first (as WallMetrics.series). */
  hourlyCreated: number[];
  hourlyResolved: number[];
  /** Reported per Beijing day over the 14 days to the moment's day, oldest first. */
  daily: number[];
  /** Per grid id (0 = none). */
  byGrid: Map<number, MomentCounts>;
}

const HOUR = 3600;
const DAY = 86_400;

/**
 * Figures at `at` (epoch seconds) for the day starting at `dayStart`, over the cases `keep` accepts
 * (default: all). Cases reported after `at` do not exist yet.
 */
export function figuresAt(cols: CaseColumns, at: number, dayStart: number, keep: (i: number) => boolean = () => true): MomentFigures {
  const out: MomentFigures = {
    today: 0, resolvedToday: 0, open: 0, overdue: 0,
    hourlyCreated: new Array<number>(24).fill(0), hourlyResolved: new Array<number>(24).fill(0), daily: new Array<number>(14).fill(0),
    byGrid: new Map(),
  };
  const firstDay = dayStart - 13 * DAY;
  for (let i = 0; i < cols.n; i++) {
    const t = cols.t[i]!;
    if (t > at || !keep(i)) continue;
    const r = cols.r[i]!;
    const resolved = r > 0 && r <= at;
    const open = !resolved;
    const overdue = open && cols.d[i]! > 0 && cols.d[i]! < at;
    const today = t >= dayStart;
    const resolvedToday = resolved && r >= dayStart;
    const g = cols.grid[i]!;
    let c = out.byGrid.get(g);
    if (!c) out.byGrid.set(g, (c = { today: 0, resolvedToday: 0, open: 0, overdue: 0 }));
    if (today) { out.today++; c.today++; }
    if (resolvedToday) { out.resolvedToday++; c.resolvedToday++; }
    if (open) { out.open++; c.open++; }
    if (overdue) { out.overdue++; c.overdue++; }
    if (t > at - DAY) out.hourlyCreated[23 - Math.floor((at - t) / HOUR)]!++;
    if (resolved && r > at - DAY) out.hourlyResolved[23 - Math.floor((at - r) / HOUR)]!++;
    if (t >= firstDay) out.daily[Math.floor((t - firstDay) / DAY)]!++;
  }
  return out;
}
