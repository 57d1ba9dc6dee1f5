// The client's side of the wire contract (core/contract.ts, core/events.ts): the HTTP clients,
// the socket and the incident store read exactly the shapes the server declares it sends
// (server/contract.test.ts pins the server's side), so no page needs a cast. Checked by
// `npm run typecheck` (tsc).
import type { Socket } from 'socket.io-client';
import { describe, expectTypeOf, it } from 'vitest';
import type { Account, CaseDetail, CaseItem, Duplicates, IncidentList, IncidentView } from '../../../core/contract.js';
import type { Diff } from '../../../core/diff.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../core/events.js';
import { caseApi } from '../ui/cases/case-api.js';
import { wallApi } from '../pages/wall/api.js';
import type { Api } from './http.js';
import type { IncidentStore } from './incident-store.js';
import type { GcSocket } from './socket.js';


describe('wire contract (client side)', () => {
  it('the socket diff is what the store applies, with no cast', () => {
    expectTypeOf<GcSocket>().toEqualTypeOf<Socket<ServerToClientEvents, ClientToServerEvents>>();
    expectTypeOf<Parameters<ServerToClientEvents['incidents:diff']>[0]>().toEqualTypeOf<Diff<IncidentView>>();
    expectTypeOf<Diff<IncidentView>>().toMatchTypeOf<Parameters<IncidentStore['apply']>[0]>();
    expectTypeOf<ReturnType<IncidentStore['list']>>().toEqualTypeOf<CaseItem[]>();
  });

  it('REST answers are read as the contract declares them', () => {
    expectTypeOf<Api['incidents']>().returns.resolves.toEqualTypeOf<IncidentList>();
    expectTypeOf<Api['createIncident']>().returns.resolves.toEqualTypeOf<IncidentView>();
    expectTypeOf<Api['me']>().returns.resolves.toEqualTypeOf<{ account: Account }>();
    expectTypeOf(wallApi.incidents).returns.resolves.toEqualTypeOf<IncidentList>();
    expectTypeOf(caseApi.list).returns.resolves.toEqualTypeOf<IncidentList>();
    expectTypeOf(caseApi.detail).returns.resolves.toEqualTypeOf<CaseDetail>();
    expectTypeOf(caseApi.duplicates).returns.resolves.toEqualTypeOf<Duplicates>();
  });
});
