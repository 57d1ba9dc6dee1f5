// Coordinate reference systems accepted at intake and import.
// CGCS2000 (EPSG:4490) is treated as WGS84 (differences are centimetres); GCJ-02 (AMap, Tencent)
// and BD-09 (Baidu) are converted with gcoord, a library made for exactly these datums.
import gcoord from 'gcoord';
import { INPUT_CRS, type InputCrs } from './types.js';

export type LonLat = [number, number];

const ALIASES: Record<string, InputCrs> = {
  wgs84: 'wgs84', 'epsg:4326': 'wgs84', '4326': 'wgs84',
  cgcs2000: 'cgcs2000', 'epsg:4490': 'cgcs2000', '4490': 'cgcs2000',
  gcj02: 'gcj02', 'gcj-02': 'gcj02', amap: 'gcj02',
  bd09: 'bd09', 'bd-09': 'bd09', baidu: 'bd09',
};

/** Parse a user-supplied CRS name; returns null when unknown (the caller reports invalid_crs). */
export function parseCrs(name: string | undefined | null): InputCrs | null {
  if (name == null || name === '') return 'wgs84';
  return ALIASES[name.trim().toLowerCase()] ?? null;
}

export function isInputCrs(s: string): s is InputCrs {
  return (INPUT_CRS as readonly string[]).includes(s);
}

/** Convert one coordinate to WGS84 (EPSG:4326). */
export function toWgs84([lon, lat]: LonLat, crs: InputCrs): LonLat {
  switch (crs) {
    case 'wgs84':
    case 'cgcs2000':
      return [lon, lat];
    case 'gcj02':
      return gcoord.transform([lon, lat], gcoord.GCJ02, gcoord.WGS84) as LonLat;
    case 'bd09':
      return gcoord.transform([lon, lat], gcoord.BD09, gcoord.WGS84) as LonLat;
  }
}

/** Convert WGS84 to a display datum (for exporting to AMap/Baidu clients). */
export function fromWgs84([lon, lat]: LonLat, crs: InputCrs): LonLat {
  switch (crs) {
    case 'wgs84':
    case 'cgcs2000':
      return [lon, lat];
    case 'gcj02':
      return gcoord.transform([lon, lat], gcoord.WGS84, gcoord.GCJ02) as LonLat;
    case 'bd09':
      return gcoord.transform([lon, lat], gcoord.WGS84, gcoord.BD09) as LonLat;
  }
}

/** A plausible longitude/latitude pair (rejects projected metres passed as degrees). */
export function isLonLat([lon, lat]: LonLat): boolean {
  return Number.isFinite(lon) && Number.isFinite(lat) && lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90;
}
