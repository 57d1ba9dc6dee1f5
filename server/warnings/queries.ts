// The warnings' SQL and how a stored warning is shown (core/trend/contract.ts).
import type { ClusterEvidence } from '../../core/trend/cluster.js';
import type { WarningStatus, WarningView } from '../../core/trend/contract.js';
import type { OnTimeEvidence } from '../../core/trend/on-time.js';
import type { RisingEvidence } from '../../core/trend/rising.js';
import type { WarningKind } from '../../core/trend/thresholds.js';
import type { Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';

export const SQL = loadSql(new URL('./warnings.sql', import.meta.url), [
  'thresholds', 'setThreshold', 'tryLock', 'areaCases', 'placedCases', 'deadlineEnds', 'openClusters', 'upsert',
  'list', 'acknowledge', 'assign', 'close', 'assignee', 'assignees',
]);

export interface WarningRow {
  id: number; kind: WarningKind; key: string; status: WarningStatus; category: string | null; grid_id: number | null;
  community_code: string | null; subdistrict_code: string | null; district_code: string | null; evidence: unknown; case_ids: number[];
  synthetic: boolean; detected_at: Date; updated_at: Date; acknowledged_by: string | null; acknowledged_at: Date | null;
  assigned_to: number | null; assigned_by: string | null; assigned_at: Date | null; note: string | null;
  grid_name: string | null; community_name: string | null; category_name: string | null; assignee_name: string | null;
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** One zh-CN line naming what was found. */
export function warningTitle(r: Pick<WarningRow, 'kind' | 'evidence' | 'grid_name' | 'community_name' | 'category_name' | 'category'>): string {
  const place = r.grid_name ?? r.community_name ?? '';
  const cat = r.category_name ?? r.category ?? '';
  switch (r.kind) {
    case 'rising': {
      const e = r.evidence as RisingEvidence;
      const times = e.ratio == null ? '基线为零' : `为基线周均 ${e.baselineMean.toFixed(1)} 件的 ${e.ratio.toFixed(1)} 倍`;
      return `${r.community_name ?? ''} ${cat}近7天 ${e.current} 件，${times}`;
    }
    case 'cluster': {
      const e = r.evidence as ClusterEvidence;
      return `${place} 同一地点 ${e.days} 天内 ${e.count} 件${cat}（半径 ${e.radiusM} 米）`;
    }
    case 'on_time_drop': {
      const e = r.evidence as OnTimeEvidence;
      return `${place} 按期率降至 ${pct(e.current.rate)}（基线 ${pct(e.baseline.rate)}）`;
    }
  }
}

export function presentWarning(r: WarningRow): WarningView {
  return {
    id: r.id, kind: r.kind, key: r.key, status: r.status, title: warningTitle(r),
    category: r.category, categoryName: r.category_name, gridId: r.grid_id, gridName: r.grid_name,
    communityCode: r.community_code, communityName: r.community_name, subdistrictCode: r.subdistrict_code, districtCode: r.district_code,
    evidence: r.evidence as WarningView['evidence'], caseIds: r.case_ids, synthetic: r.synthetic,
    detectedAt: iso(r.detected_at)!, updatedAt: iso(r.updated_at)!, acknowledgedBy: r.acknowledged_by, acknowledgedAt: iso(r.acknowledged_at),
    assignedTo: r.assigned_to != null ? { id: r.assigned_to, name: r.assignee_name ?? '' } : null,
    assignedBy: r.assigned_by, assignedAt: iso(r.assigned_at), note: r.note,
  };
}

export const ALL_STATUSES: WarningStatus[] = ['open', 'acknowledged', 'closed'];

export interface WarningFilter {
  communities: string[] | null;
  gridId: number | null;
  statuses?: WarningStatus[];
  kind?: WarningKind | null;
  ids?: number[] | null;
  limit?: number;
}

export async function listWarnings(db: Queryable, f: WarningFilter): Promise<WarningView[]> {
  const rows = (await db.query<WarningRow>(SQL.list, [f.communities, f.gridId, f.statuses ?? ALL_STATUSES, f.kind ?? null, f.ids ?? null, f.limit ?? 500])).rows;
  return rows.map(presentWarning);
}

/** Warnings by id, unfiltered (for the bus; the socket layer sends each to its own rooms). */
export const selectWarnings = (db: Queryable, ids: number[]) => listWarnings(db, { communities: null, gridId: null, ids, limit: ids.length });
