// The workflow endpoints the phone page, the dispatch desk and the reports page use, on top of the
// shell's API client (same credentials: cookie session with its CSRF token, or a kiosk token).
import { api, ApiError, currentAccount, withQuery, type Account } from '../../api/http.js';

export type { Duplicates };
import type { CaseDetail, CaseItem, Duplicates, IncidentList } from '../../../../core/contract.js';

/** GET /api/incidents with the desk's filters (`now`: the server's clock at the query). */
export type CaseList = IncidentList;

export interface CaseQuery {
  state?: string[];
  overdue?: boolean;
  level?: string;
  since?: string;
  division?: string;
  limit?: number;
}

export interface ActionBody {
  action: string;
  note?: string;
  level?: string;
  departmentCode?: string;
  rating?: string;
  photos?: number[];
  /** 派单 to the grid level: the grid chosen (派往指定网格), when not the case's own. */
  gridId?: number;
}

export interface Department {
  id: number;
  code: string;
  name: string;
}

export interface UploadedPhoto {
  id: number;
  url: string;
  thumbUrl: string;
}

/** The signed-in account with its binding (GET /api/auth/me). */
export type Me = Account & {
  divisionCode?: string | null;
  gridId?: number | null;
  departmentId?: number | null;
};

export const caseApi = {
  me: async (): Promise<Me | null> => (await currentAccount()) as Me | null,
  list: (q: CaseQuery = {}) =>
    api.request<CaseList>(withQuery('/api/incidents', {
      state: q.state?.join(','), overdue: q.overdue === undefined ? undefined : String(q.overdue), level: q.level, since: q.since,
      division: q.division, limit: q.limit,
    })),
  detail: (id: number) => api.request<CaseDetail>(`/api/incidents/${id}`),
  act: (id: number, body: ActionBody) => api.send<CaseItem>('POST', `/api/incidents/${id}/actions`, body),
  duplicates: (id: number) => api.request<Duplicates>(`/api/incidents/${id}/duplicates`),
  merge: (id: number, into: number, note?: string) =>
    api.send<{ merged: CaseItem; into: CaseItem }>('POST', `/api/incidents/${id}/merge`, { into, ...(note ? { note } : {}) }),
  departments: () => api.request<Department[]>('/api/departments'),
  categories: () => api.incidentCategories(),
  /**
   * One photo (multipart, field "photo"). null when the server has no photo service (404), so
   * callers go on without the photo.
   */
  uploadPhoto: async (blob: Blob): Promise<UploadedPhoto | null> => {
    await currentAccount().catch(() => null); // learn the CSRF token first
    const form = new FormData();
    form.append('photo', blob, blob instanceof File ? blob.name : 'photo.jpg');
    try {
      return await api.request<UploadedPhoto>('/api/photos', { method: 'POST', body: form });
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  },
};

/** Photos on a case or in a trail entry: "/api/photos/12" → its thumbnail URL; other references as given. */
export function thumbOf(ref: string): string | null {
  const m = /^\/api\/photos\/(\d+)$/.exec(ref);
  return m ? `/api/photos/${m[1]}/thumb` : null;
}
