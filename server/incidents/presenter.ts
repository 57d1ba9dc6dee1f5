import type { Incident, InputCrs } from '../../core/types.js';

export interface IncidentRow {
  id: number; client_key: string; category: string; description: string; source: string; status: string;
  lon: number; lat: number; input_crs: InputCrs; grid_id: number | null; grid_name: string | null;
  community_code: string | null; subdistrict_code: string | null; district_code: string | null;
  synthetic: boolean; created_at: Date; updated_at: Date;
}

export function presentIncident(r: IncidentRow): Incident {
  return {
    id: r.id, clientKey: r.client_key, category: r.category, description: r.description,
    source: r.source, status: r.status, lon: r.lon, lat: r.lat, inputCrs: r.input_crs,
    gridId: r.grid_id, gridName: r.grid_name, communityCode: r.community_code,
    subdistrictCode: r.subdistrict_code, districtCode: r.district_code, synthetic: r.synthetic,
    createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString(),
  };
}
