// Web Mercator tile arithmetic (XYZ scheme): the server's tile routes and benchmarks and the
// client's tile fetching (client/src/api/vector-tiles.ts) use these, never their own copy.

const clamp = (i: number, z: number) => Math.min(2 ** z - 1, Math.max(0, i));

/** The tile column holding longitude `lon` at zoom z. */
export function lonToTileX(lon: number, z: number): number {
  return clamp(Math.floor(((lon + 180) / 360) * 2 ** z), z);
}

/** The tile row holding latitude `lat` at zoom z (row 0 at the north). */
export function latToTileY(lat: number, z: number): number {
  const r = (lat * Math.PI) / 180;
  return clamp(Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z), z);
}

export function lonLatToTile(lon: number, lat: number, z: number): { x: number; y: number } {
  return { x: lonToTileX(lon, z), y: latToTileY(lat, z) };
}

/** The lon/lat bounds of a tile: [west, south, east, north]. */
export function tileBounds(z: number, x: number, y: number): [number, number, number, number] {
  const n = 2 ** z;
  const lon = (i: number) => (i / n) * 360 - 180;
  const lat = (j: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * j) / n))) * 180) / Math.PI;
  return [lon(x), lat(y + 1), lon(x + 1), lat(y)];
}
