// Suggested sites for k new facilities of a class: candidates are existing non-residential buildings
// (not already holding a facility of the class); each one's cover is the households it would bring
// within the limit (one bounded search per candidate); greedy maximal covering picks k.
import { SUGGEST_CANDIDATES, SUGGEST_METHOD, type SuggestBody, type SuggestResult } from '../../core/coverage/contract.js';
import { isCovered } from '../../core/coverage/coverage.js';
import { reachedPoints, sourceOf } from '../../core/coverage/search.js';
import { greedyMaxCover, type CandidateCover } from '../../core/coverage/suggest.js';
import type { Queryable } from '../db/db.js';
import { fail, ok, type Result } from '../http/errors.js';
import { SQL, type CoverageEngine } from './engine.js';
import type { CoverageScope } from './summary.js';
import { cellsFor, knownClass, scopeIndices } from './whatif.js';

export async function suggest(db: Queryable, e: CoverageEngine, s: CoverageScope, body: SuggestBody): Promise<Result<SuggestResult>> {
  const k = knownClass(e, body.class);
  if (!k.ok) return k;
  if (body.community && s.communities !== null && !s.communities.includes(body.community)) {
    return fail('forbidden', `community ${body.community} is outside your jurisdiction`);
  }
  const cls = e.classes.find((c) => c.code === body.class)!;
  const limit = body.limit ?? cls.walkMinutes;
  const base = e.times.get(body.class)!.minutes;
  // demand: residential buildings in scope (and in the community, when given)
  const idx = scopeIndices(e, s).filter((i) => body.community === undefined || e.buildings.community[i] === body.community);
  const demand = new Uint8Array(e.buildings.id.length);
  for (const i of idx) if (e.buildings.households[i]! > 0) demand[i] = 1;
  const weight = Array.from(e.buildings.households, (h, i) => (demand[i] ? h : 0));
  const covered = Array.from(base, (m) => isCovered(m, limit));
  const candIds = (await db.query<{ id: number }>(SQL.candidates, [body.class, body.community ?? null, s.communities])).rows.map((r) => r.id);
  const cands: number[] = [];
  const covers: CandidateCover[] = [];
  const radius = limit * 60 * e.speedMps;
  for (const id of candIds) {
    const i = e.buildings.index.get(id);
    if (i === undefined) continue;
    const snap = e.buildings.snaps[i];
    if (!snap) continue;
    e.searcher.run([sourceOf(snap)], radius);
    const pts: number[] = [];
    for (const j of reachedPoints(e.searcher, e.buildings.byEdge)) {
      if (!demand[j] || covered[j]) continue;
      if (e.searcher.pointDist(e.buildings.snaps[j]!) / e.speedMps / 60 <= limit + 1e-9) pts.push(j);
    }
    cands.push(i);
    covers.push({ points: pts });
  }
  const picks = greedyMaxCover(covers, weight, covered, body.k);
  const after = Array.from(base);
  for (const p of picks) for (const j of p.points) after[j] = Math.min(after[j]!, limit);
  const before = cellsFor(e, idx, base, limit).total;
  const afterCells = cellsFor(e, idx, after, limit).total;
  return ok({
    method: SUGGEST_METHOD, candidates: SUGGEST_CANDIDATES, candidateCount: cands.length, class: body.class, limitMinutes: limit,
    community: body.community ?? null,
    sites: picks.map((p) => {
      const i = cands[p.candidate]!;
      return {
        lon: e.buildings.lon[i]!, lat: e.buildings.lat[i]!, buildingId: e.buildings.id[i]!, name: e.buildings.name[i] ?? null,
        newlyCoveredHouseholds: p.gain, newlyCoveredBuildings: p.points.length, cumulative: p.cumulative,
      };
    }),
    before, after: afterCells, synthetic: true,
  });
}
