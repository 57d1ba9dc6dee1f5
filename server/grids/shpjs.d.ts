// shpjs ships no types: the one function the grid import uses.
declare module 'shpjs' {
  import type { FeatureCollection } from 'geojson';
  /** A zipped Shapefile (.shp/.dbf/.prj…) → GeoJSON in WGS84 (reprojected by the .prj when there is one). */
  export function parseZip(buffer: ArrayBuffer | Uint8Array, whiteList?: string[]): Promise<FeatureCollection | FeatureCollection[]>;
}
