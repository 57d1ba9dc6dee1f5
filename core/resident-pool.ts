// The resident data pool's wire shapes (人房企数据池, issue 14) and the visit-due rule of the grid
// worker's visit list (e.g. 空巢老人 not visited in 30 days).
import type { ImportRowError, PoolKind } from './resident-import.js';

export interface ResidentTagView {
  code: string;
  name: string;
  appliesTo: PoolKind;
  sensitive: boolean;
  /** People with this tag are due for a visit every that many days (null: no visits). */
  visitDays: number | null;
  sort: number;
  /** Records carrying it (in the caller's jurisdiction). */
  count?: number;
}

/** A person as listed: masked unless `masked` is false (an audited full view). */
export interface PersonView {
  id: number;
  gridId: number;
  gridName: string;
  buildingId: number | null;
  name: string;
  phone: string;
  idNumber: string | null;
  tags: string[];
  lastVisit: string | null;
  masked: boolean;
  synthetic: boolean;
}

/** Counts per grid and tag (no personal data): the map of /residents. */
export interface TagCountsByGrid {
  grids: { gridId: number; gridName: string; communityCode: string; households: number; tags: Record<string, number>; total: number }[];
  tags: ResidentTagView[];
  synthetic: boolean;
}

export interface ImportPreview {
  kind: PoolKind;
  format: 'csv' | 'xlsx';
  rows: number;
  /** The first rows as read (masked), for the preview table. */
  sample: { row: number; grid: string; name: string; phone: string; tags: string[]; unit: string | null }[];
  errors: ImportRowError[];
  totalErrors: number;
  ok: boolean;
}

export interface VisitDue {
  personId: number;
  tags: string[];
  lastVisit: string | null;
  /** Days since the last visit (null: never visited). */
  daysSince: number | null;
  /** The shortest interval among the person's tags. */
  intervalDays: number;
}

const DAY = 86_400_000;
const dayNumber = (iso: string) => Math.floor(Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) / DAY);

/**
 * Who is due for a visit on `today` (YYYY-MM-DD): a person whose tags have a visit interval and
 * who was never visited, or whose last visit is at least the shortest interval of their tags ago.
 * Never-visited first, then the longest overdue; ties by id.
 */
export function visitsDue(
  people: readonly { id: number; tags: readonly string[]; lastVisit: string | null }[],
  intervals: ReadonlyMap<string, number | null>,
  today: string,
): VisitDue[] {
  const now = dayNumber(today);
  const due: VisitDue[] = [];
  for (const p of people) {
    const days = p.tags.map((t) => intervals.get(t)).filter((d): d is number => typeof d === 'number' && d > 0);
    if (days.length === 0) continue;
    const interval = Math.min(...days);
    const since = p.lastVisit ? now - dayNumber(p.lastVisit) : null;
    if (since === null || since >= interval) {
      due.push({ personId: p.id, tags: [...p.tags], lastVisit: p.lastVisit ? p.lastVisit.slice(0, 10) : null, daysSince: since, intervalDays: interval });
    }
  }
  const rank = (d: VisitDue) => (d.daysSince === null ? Number.POSITIVE_INFINITY : d.daysSince - d.intervalDays);
  return due.sort((a, b) => rank(b) - rank(a) || a.personId - b.personId);
}
