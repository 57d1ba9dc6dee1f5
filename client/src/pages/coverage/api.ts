// Typed client of /api/coverage/* (shapes in core/coverage/contract.ts), on the page's shared
// request helpers (this tab's credentials, CSRF on writes, ApiError with the server's code).
import type {
  ClassChanges,
  CoverageBuildings,
  CoverageGaps,
  CoverageGrids,
  CoverageSummary,
  Isochrone,
  IsochroneLines,
  RecomputeResult,
  Scenario,
  ScenarioCompare,
  ScenarioListItem,
  SuggestResult,
  WalkLimit,
  WhatIfResult,
} from '../../../../core/coverage/contract.js';
import { api, withQuery } from '../../api/http.js';

/** null = each class at its own walkMinutes. */
export type LimitChoice = WalkLimit | null;

const lim = (l: LimitChoice) => (l === null ? undefined : l);

export const coverageApi = {
  summary: (limit: LimitChoice, signal?: AbortSignal) =>
    api.request<CoverageSummary>(withQuery('/api/coverage/summary', { limit: lim(limit) }), { signal }),
  grids: (q: { class?: string; limit: LimitChoice }, signal?: AbortSignal) =>
    api.request<CoverageGrids>(withQuery('/api/coverage/grids', { class: q.class, limit: lim(q.limit) }), { signal }),
  buildings: (q: { class: string; limit: LimitChoice; bbox?: string }, signal?: AbortSignal) =>
    api.request<CoverageBuildings>(withQuery('/api/coverage/buildings', { class: q.class, limit: lim(q.limit), bbox: q.bbox }), { signal }),
  gaps: (q: { class: string; limit: LimitChoice; community?: string | null }, signal?: AbortSignal) =>
    api.request<CoverageGaps>(withQuery('/api/coverage/gaps', { class: q.class, limit: lim(q.limit), community: q.community ?? undefined }), { signal }),
  isochrone: (lon: number, lat: number, bands: readonly number[], signal?: AbortSignal) =>
    api.request<Isochrone>(withQuery('/api/coverage/isochrone', { lon: +lon.toFixed(7), lat: +lat.toFixed(7), bands: bands.join(',') }), { signal }),
  /** The reached street pieces only (a few ms): for following a dragged origin. */
  isochroneLines: (lon: number, lat: number, bands: readonly number[], signal?: AbortSignal) =>
    api.request<IsochroneLines>(withQuery('/api/coverage/isochrone', { lon: +lon.toFixed(7), lat: +lat.toFixed(7), bands: bands.join(','), shape: 'lines' }), { signal }),
  facilityIsochrone: (id: number, minutes?: number, signal?: AbortSignal) =>
    api.request<Isochrone>(withQuery(`/api/coverage/facilities/${id}/isochrone`, { minutes }), { signal }),
  whatIf: (changes: ClassChanges, limit: LimitChoice) =>
    api.send<WhatIfResult>('POST', '/api/coverage/what-if', { ...changes, limit: lim(limit) }),
  scenarios: () => api.request<ScenarioListItem[] | { scenarios: ScenarioListItem[] }>('/api/coverage/scenarios')
    .then((r) => (Array.isArray(r) ? r : r.scenarios)),
  scenario: (id: number) => api.request<Scenario>(`/api/coverage/scenarios/${id}`),
  saveScenario: (name: string, changes: ClassChanges[]) =>
    api.send<{ id: number }>('POST', '/api/coverage/scenarios', { name, changes }),
  compare: (a: number | 'baseline', b: number | 'baseline', limit: LimitChoice) =>
    api.request<ScenarioCompare>(withQuery('/api/coverage/scenarios/compare', { a, b, limit: lim(limit) })),
  /** Rebuild the walking graph and every class's minutes (coverage:create). */
  recompute: () => api.send<RecomputeResult>('POST', '/api/coverage/recompute'),
  suggest: (q: { class: string; k: number; community?: string | null; limit: LimitChoice }) =>
    api.send<SuggestResult>('POST', '/api/coverage/suggest', { class: q.class, k: q.k, community: q.community ?? undefined, limit: lim(q.limit) }),
};

/** Download links (same origin; the session cookie authenticates them). */
export const exportUrls = {
  csv: (limit: LimitChoice) => withQuery('/api/coverage/export.csv', { limit: lim(limit) }),
  gaps: (cls: string, limit: LimitChoice, community?: string | null) =>
    withQuery('/api/coverage/gaps.geojson', { class: cls, limit: lim(limit), community: community ?? undefined }),
  isochrones: (cls: string, limit: LimitChoice) => withQuery('/api/coverage/isochrones.geojson', { class: cls, limit: lim(limit) }),
};
