// The map pages draw cases and facilities as dots side by side (/map), so they get palettes that
// cannot be taken for each other: facilities keep the 16 service-class colours
// (data/service-classes.json, the swatches of the 生活圈设施 list); cases (/map and /3d) are
// coloured by where they stand — in hand, past the deadline, done — in three colours far from
// every class colour (case-palette.test.ts measures it) and drawn larger with a white ring.
import type { CaseItem } from '../../../core/contract.js';
import type { RGBA } from '../map/map-view.js';
import { hexToRgba } from '../map/color.js';
import { isOverdue } from './cases/model.js';

export type CasePhase = 'open' | 'overdue' | 'done';

export const CASE_PHASES: readonly { phase: CasePhase; name: string; color: string }[] = [
  { phase: 'open', name: '在办', color: '#ff2bd6' },
  { phase: 'overdue', name: '超期', color: '#fff200' },
  { phase: 'done', name: '已办结 / 结案', color: '#ffffff' },
];

const COLOR = new Map(CASE_PHASES.map((p) => [p.phase, p.color]));

export function casePhase(c: Pick<CaseItem, 'overdue' | 'deadlineAt' | 'statusType'>, nowMs: number): CasePhase {
  if ((c.statusType ?? 'open') !== 'open') return 'done';
  return isOverdue(c, nowMs) ? 'overdue' : 'open';
}

export const casePhaseColor = (phase: CasePhase): RGBA => hexToRgba(COLOR.get(phase)!, phase === 'done' ? 170 : 255);
