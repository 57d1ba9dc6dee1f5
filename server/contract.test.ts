// The server's side of the wire contract (core/contract.ts, core/events.ts): what the presenters,
// the event bus, the socket layer and the routes build is exactly the declared shape, so the
// client, which reads the same declarations, never needs a cast. The type assertions are checked
// by `npm run typecheck` (tsc); the key list below also fails at run time when the presenter
// sends a field the contract does not declare, or leaves one out.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Account, CallerView, CaseDetail, CasePhoto, IncidentView, Scope } from '../core/contract.js';
import type { Diff } from '../core/diff.js';
import type { ServerToClientEvents } from '../core/events.js';
import { presentPrincipal } from './auth/routes.js';
import { resolveScope } from './auth/scope.js';
import type { DomainEvents } from './events/bus.js';
import { caseDetail, duplicateCandidates } from './incidents/actions.js';
import { presentContact } from './incidents/contacts.js';
import { presentIncident, type IncidentRow } from './incidents/presenter.js';
import { photosOfIncident } from './photos/access.js';

/** Every field of IncidentView, once: adding or dropping a field in the contract fails to compile here. */
const INCIDENT_VIEW_KEYS = {
  id: true, clientKey: true, category: true, description: true, source: true, status: true, lon: true, lat: true,
  inputCrs: true, gridId: true, gridName: true, communityCode: true, subdistrictCode: true, districtCode: true,
  synthetic: true, createdAt: true, updatedAt: true, statusName: true, statusType: true, level: true, levelName: true,
  handler: true, departmentCode: true, departmentName: true, deadlineAt: true, overdue: true, escalations: true,
  resolvedBy: true, resolvedAt: true, verifiedBy: true, verifiedAt: true, closedAt: true, rating: true, mergedInto: true,
  reporters: true, unlocated: true, address: true, mediaUrl: true,
} as const satisfies Record<keyof IncidentView, true>;
expectTypeOf<keyof typeof INCIDENT_VIEW_KEYS>().toEqualTypeOf<keyof IncidentView>();

const row: IncidentRow = {
  id: 7, client_key: 'contract-0007', category: 'sanitation', description: '垃圾满溢', source: 'patrol', status: 'reported',
  lon: 121.5, lat: 31.24, input_crs: 'wgs84', grid_id: 3, grid_name: '网格3', community_code: 'C', subdistrict_code: 'S',
  district_code: 'D', synthetic: true, created_at: new Date('2026-03-01T08:00:00Z'), updated_at: new Date('2026-03-01T08:05:00Z'),
  level: 'grid', handler: 'grid_worker', department_code: null, department_name: null, deadline_at: null, overdue: false,
  escalations: 0, resolved_by_label: null, resolved_at: null, verified_by_label: null, verified_at: null, closed_at: null,
  rating: null, merged_into: null, reporters: 1, unlocated: false, address: null, media_url: null,
};

describe('wire contract (server side)', () => {
  it('a presented case has exactly the fields of IncidentView', () => {
    expect(Object.keys(presentIncident(row)).sort()).toEqual(Object.keys(INCIDENT_VIEW_KEYS).sort());
  });

  it('sockets send the cases the bus carries, and the bus carries IncidentView', () => {
    expectTypeOf<Parameters<ServerToClientEvents['incidents:diff']>[0]>().toEqualTypeOf<Diff<IncidentView>>();
    expectTypeOf<DomainEvents['incident.created']['incident']>().toEqualTypeOf<IncidentView>();
    expectTypeOf<DomainEvents['incident.updated']['incident']>().toEqualTypeOf<IncidentView>();
    expectTypeOf(presentIncident).returns.toEqualTypeOf<IncidentView>();
  });

  it('REST answers are built as the contract declares them', () => {
    expectTypeOf(caseDetail).returns.resolves.toEqualTypeOf<CaseDetail | null>();
    expectTypeOf(duplicateCandidates).returns.resolves.toEqualTypeOf<(IncidentView & { distanceM: number })[] | null>();
    expectTypeOf(photosOfIncident).returns.resolves.toEqualTypeOf<CasePhoto[]>();
    expectTypeOf(presentContact).returns.toEqualTypeOf<CallerView>();
    expectTypeOf(presentPrincipal).returns.toEqualTypeOf<Account>();
    expectTypeOf(resolveScope).returns.resolves.toEqualTypeOf<Scope>();
  });
});
