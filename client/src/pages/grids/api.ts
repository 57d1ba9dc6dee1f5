// Typed calls to /api/grid-editor (core/grid-edit/contract.ts), on the shared same-origin client.
import type {
  CommunitiesResponse,
  CommunityResponse,
  CompareResponse,
  DiscardDraftResponse,
  DraftGrid,
  ImportResponse,
  PartitionResponse,
  PublishResponse,
  RebalanceResponse,
  RollbackResponse,
  SaveDraftResponse,
  Validation,
  VersionResponse,
  Band,
  SetBandResponse,
} from '../../../../core/grid-edit/contract.js';
import type { InputCrs } from '../../../../core/types.js';
import { api, currentAccount, getCsrfToken } from '../../api/http.js';

const BASE = '/api/grid-editor';
const c = (code: string) => `${BASE}/communities/${encodeURIComponent(code)}`;

export const gridApi = {
  communities: () => api.request<CommunitiesResponse>(`${BASE}/communities`),
  community: (code: string) => api.request<CommunityResponse>(c(code)),
  saveDraft: (code: string, baseRevision: number, grids: DraftGrid[]) => api.send<SaveDraftResponse>('PUT', `${c(code)}/draft`, { baseRevision, grids }),
  discardDraft: (code: string, baseRevision: number) => api.send<DiscardDraftResponse>('DELETE', `${c(code)}/draft`, { baseRevision }),
  validate: (code: string, grids: DraftGrid[], band?: Band) => api.send<Validation>('POST', `${c(code)}/validate`, { grids, band }),
  partition: (code: string, body: { grids: DraftGrid[]; lockedKeys: string[]; seed?: number; band?: Band }) => api.send<PartitionResponse>('POST', `${c(code)}/partition`, body),
  rebalance: (code: string, grids: DraftGrid[], band?: Band) => api.send<RebalanceResponse>('POST', `${c(code)}/rebalance`, { grids, band }),
  publish: (code: string, baseRevision: number, note?: string) => api.send<PublishResponse>('POST', `${c(code)}/publish`, { baseRevision, note }),
  version: (id: number) => api.request<VersionResponse>(`${BASE}/versions/${id}`),
  compare: (a: number, b: number) => api.request<CompareResponse>(`${BASE}/versions/${a}/compare/${b}`),
  rollback: (id: number, baseRevision: number) => api.send<RollbackResponse>('POST', `${BASE}/versions/${id}/rollback`, { baseRevision }),
  /** GeoJSON (application/json) or a zipped Shapefile (application/zip), raw body. */
  async importFile(code: string, crs: InputCrs, file: File): Promise<ImportResponse> {
    if (!getCsrfToken()) await currentAccount(true).catch(() => null);
    const zip = /\.zip$/i.test(file.name) || file.type === 'application/zip';
    return api.request<ImportResponse>(`${c(code)}/import?crs=${crs}`, {
      method: 'POST',
      headers: { 'Content-Type': zip ? 'application/zip' : 'application/json' },
      body: file,
    });
  },
  exportUrl: (code: string, format: 'geojson' | 'shp') => `${c(code)}/export?format=${format}`,
  /** The district's household band (null: back to the default). */
  setBand: (district: string, band: Band | null) => api.send<SetBandResponse>('PUT', `${BASE}/districts/${encodeURIComponent(district)}/band`, { band }),
};
