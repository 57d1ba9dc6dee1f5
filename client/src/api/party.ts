// The Party branch ledger's and rosters' HTTP calls (server/party/ledger-routes.ts), typed by
// core/party-ledger.ts. Used by /party, the map's grid card, the wall and the phone page.
import type { ActivityInput, BranchDetail, BranchSummary, ContactView, GridActivityView, GridRoster, MemberInput, MonthCount } from '../../../core/party-ledger.js';
import { api, withQuery } from './http.js';

export const partyApi = {
  branches: (division?: string) => api.request<{ branches: BranchSummary[] }>(withQuery('/api/party/branches', { division })),
  branch: (id: number) => api.request<BranchDetail>(`/api/party/branches/${id}`),
  record: (branchId: number, body: Omit<ActivityInput, 'note' | 'photoIds'> & { note?: string; photoIds?: number[] }) =>
    api.send<{ id: number }>('POST', `/api/party/branches/${branchId}/activities`, body),
  addMember: (branchId: number, body: MemberInput) => api.send<{ id: number }>('POST', `/api/party/branches/${branchId}/members`, body),
  monthly: (division?: string, months = 12) =>
    api.request<{ months: string[]; branches: { id: number; name: string; gridId: number; gridName: string; counts: MonthCount[] }[] }>(
      withQuery('/api/party/monthly', { division, months })),
  gridActivity: (division?: string) =>
    api.request<{ today: string; windowDays: number; grids: GridActivityView[]; synthetic: boolean }>(withQuery('/api/party/grid-activity', { division })),
  roster: (gridId: number) => api.request<GridRoster>(`/api/party/grids/${gridId}/roster`),
  /** One full number: audited on the server (refusals too). */
  contact: (kind: 'staff' | 'member', id: number) => api.request<ContactView>(`/api/party/contacts/${kind}/${id}`),
};
