// Synthetic history for the wall's replay and KPIs: cases reported at past times, each taken
// through the real intake (locate, route, deadline) and then through the real workflow (accept,
// start, resolve, verify, close …) at the past times given. Every case is stored synthetic; the
// trail names the simulator as actor. Nothing is published to the live sockets (this is history,
// not news); the escalation clock marks what is left open past its deadline overdue as usual.
// Admin only (routes.ts), audited. No HTTP here.
import { z } from 'zod';
import { incidentCreateSchema } from '../../core/incident-schema.js';
import type { Actor, Rating } from '../../core/workflow.js';
import { RATINGS } from '../../core/workflow.js';
import type { Scope } from '../auth/scope.js';
import type { Db } from '../db/db.js';
import { EventBus } from '../events/bus.js';
import { act } from '../incidents/actions.js';
import { createIncident, dbNow } from '../incidents/commands.js';

/** Most cases per request (each one is several statements). */
export const MAX_BACKFILL = 2000;
/** How far back history may be written. */
export const MAX_BACKFILL_DAYS = 31;

/** Who acts in a step: the simulator in the role of the level that handles it. */
export const STEP_ROLES = ['grid_worker', 'community_staff', 'subdistrict_staff'] as const;
export type StepRole = (typeof STEP_ROLES)[number];

const SIM_LABEL: Record<StepRole, string> = {
  grid_worker: '模拟网格员（合成数据）',
  community_staff: '模拟社区（合成数据）',
  subdistrict_staff: '模拟街道（合成数据）',
};

/** The simulator as an actor. Kind system: it is never "the same person" as anyone (巡办分离 holds). */
export const simActor = (role: StepRole): Actor => ({ kind: 'system', id: null, label: SIM_LABEL[role], role });

const STEP_ACTIONS = ['accept', 'start', 'resolve', 'escalate', 'verify', 'close', 'rate'] as const;

const stepSchema = z.object({
  action: z.enum(STEP_ACTIONS),
  at: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
  by: z.enum(STEP_ROLES).default('grid_worker'),
  note: z.string().max(500).optional(),
  rating: z.enum(RATINGS).optional(),
});

// The intake contract minus what the seeding path decides itself (synthetic, photos, callers).
const caseSchema = incidentCreateSchema.safeExtend({
  at: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
  steps: z.array(stepSchema).max(12).default([]),
});

export const backfillSchema = z.object({
  incidents: z.array(caseSchema).min(1).max(MAX_BACKFILL),
});
export type BackfillInput = z.infer<typeof backfillSchema>;

export interface BackfillResult {
  created: number;
  replayed: number;
  refused: { clientKey: string; code: string; message: string }[];
  /** Workflow steps applied, and those left out because their time has not come yet. */
  steps: number;
  future: number;
  /** Steps the workflow refused (e.g. an action impossible in the state reached). */
  stepErrors: number;
}

/**
 * Store past cases and their workflow steps. `at` must lie in the last MAX_BACKFILL_DAYS; steps
 * later than now are left out (a case reported late yesterday may still be open). Cases whose
 * clientKey is stored already are left as they are (a repeated backfill changes nothing).
 */
export async function backfill(db: Db, input: BackfillInput, scope: Scope): Promise<BackfillResult> {
  const quiet = new EventBus();
  const now = await dbNow(db);
  const oldest = now.getTime() - MAX_BACKFILL_DAYS * 86_400_000;
  const out: BackfillResult = { created: 0, replayed: 0, refused: [], steps: 0, future: 0, stepErrors: 0 };
  const cases = [...input.incidents].sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const c of cases) {
    const { at, steps, photos: _p, caller: _c, ...rest } = c;
    if (at.getTime() > now.getTime() || at.getTime() < oldest) {
      out.refused.push({ clientKey: c.clientKey, code: 'invalid_request', message: `at must lie within the last ${MAX_BACKFILL_DAYS} days` });
      continue;
    }
    const created = await createIncident(db, quiet, { ...rest, synthetic: true }, scope, simActor('grid_worker'), at);
    if (!created.ok) {
      out.refused.push({ clientKey: c.clientKey, code: created.error.code, message: created.error.message });
      continue;
    }
    if (!created.value.created) {
      out.replayed++;
      continue;
    }
    out.created++;
    const id = created.value.incident.id;
    for (const s of [...steps].sort((a, b) => a.at.getTime() - b.at.getTime())) {
      if (s.at.getTime() > now.getTime()) {
        out.future++;
        continue;
      }
      if (s.at.getTime() < at.getTime()) {
        out.stepErrors++;
        continue;
      }
      const note = s.note ?? (s.action === 'escalate' ? '需社区协调处置（模拟）' : undefined);
      const r = await act(db, quiet, id, { actor: simActor(s.by), scope }, { action: s.action, note, rating: s.rating as Rating | undefined }, s.at);
      if (r.ok) out.steps++;
      else out.stepErrors++;
    }
  }
  return out;
}
