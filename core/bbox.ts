// Bounding boxes as accepted in query strings: "minLon,minLat,maxLon,maxLat" in WGS84.
export type BBox = [number, number, number, number];

export type BBoxResult = { ok: true; bbox: BBox } | { ok: false; reason: string };

/** Largest bbox a list endpoint accepts, in degrees per side (a district is ~0.3°). */
export const MAX_BBOX_SPAN_DEG = 2;

export function parseBBox(text: string): BBoxResult {
  const parts = text.split(',');
  if (parts.length !== 4) return { ok: false, reason: 'bbox must be minLon,minLat,maxLon,maxLat' };
  const nums = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
  if (nums.some((n) => !Number.isFinite(n))) return { ok: false, reason: 'bbox values must be numbers' };
  const [minLon, minLat, maxLon, maxLat] = nums as BBox;
  if (minLon < -180 || maxLon > 180 || minLat < -90 || maxLat > 90) {
    return { ok: false, reason: 'bbox must be WGS84 degrees (lon -180..180, lat -90..90)' };
  }
  if (minLon >= maxLon || minLat >= maxLat) return { ok: false, reason: 'bbox min must be less than max' };
  if (maxLon - minLon > MAX_BBOX_SPAN_DEG || maxLat - minLat > MAX_BBOX_SPAN_DEG) {
    return { ok: false, reason: `bbox may span at most ${MAX_BBOX_SPAN_DEG} degrees` };
  }
  return { ok: true, bbox: [minLon, minLat, maxLon, maxLat] };
}
