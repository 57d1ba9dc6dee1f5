// Trend early-warning thresholds: one set per kind of warning, stored as data (table
// warning_threshold, defaults in migration 0013) and edited by an admin. These schemas validate
// what is stored and what an admin sends; the defaults here equal the migration's.
import { z } from 'zod';

export const WARNING_KINDS = ['rising', 'cluster', 'on_time_drop'] as const;
export type WarningKind = (typeof WARNING_KINDS)[number];

export const WARNING_KIND_NAMES: Record<WarningKind, string> = {
  rising: '类别上升',
  cluster: '同一地点重复发生',
  on_time_drop: '按期率下降',
};

const alpha = z.number().gt(0).max(0.2);

/** A category rising in a community: the last 7 days against the same 7 weekdays of earlier weeks. */
export const risingThresholds = z.object({
  enabled: z.boolean(),
  /** Earlier weeks whose same weekdays form the baseline. */
  baselineWeeks: z.number().int().min(1).max(26),
  /** Family-wise significance level; each test uses alpha / (number of tests) (Bonferroni). */
  alpha,
  /** Fewer cases than this this week: not tested. */
  minCount: z.number().int().min(1).max(10_000),
  /** This week's count must also be at least this multiple of the baseline weekly mean. */
  minRatio: z.number().min(1).max(100),
}).strict();

/** Repeated cases at the same place: at least minCases within radiusM metres in `days` days. */
export const clusterThresholds = z.object({
  enabled: z.boolean(),
  radiusM: z.number().min(5).max(2000),
  days: z.number().int().min(1).max(90),
  minCases: z.number().int().min(2).max(1000),
  /** Only cases of one category count together. */
  sameCategory: z.boolean(),
}).strict();

/** A grid whose on-time rate drops: the last windowDays against the baselineDays before them. */
export const onTimeDropThresholds = z.object({
  enabled: z.boolean(),
  windowDays: z.number().int().min(7).max(180),
  baselineDays: z.number().int().min(7).max(730),
  alpha,
  /** Deadlines ended in each period: fewer and the grid is not tested. */
  minCases: z.number().int().min(2).max(10_000),
  /** The rate must also drop by at least this much (0.15 = 15 percentage points). */
  minDrop: z.number().min(0).max(1),
}).strict();

export const THRESHOLD_SCHEMAS = {
  rising: risingThresholds,
  cluster: clusterThresholds,
  on_time_drop: onTimeDropThresholds,
} as const;

export type RisingThresholds = z.infer<typeof risingThresholds>;
export type ClusterThresholds = z.infer<typeof clusterThresholds>;
export type OnTimeDropThresholds = z.infer<typeof onTimeDropThresholds>;
export interface Thresholds {
  rising: RisingThresholds;
  cluster: ClusterThresholds;
  on_time_drop: OnTimeDropThresholds;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  rising: { enabled: true, baselineWeeks: 4, alpha: 0.01, minCount: 5, minRatio: 1.5 },
  cluster: { enabled: true, radiusM: 50, days: 7, minCases: 3, sameCategory: true },
  on_time_drop: { enabled: true, windowDays: 30, baselineDays: 90, alpha: 0.01, minCases: 10, minDrop: 0.15 },
};
