// The self-hosted base map style, built in code from the server's /tiles/base vector tiles.
// No glyphs or sprites: there is no offline glyph server, so labels are drawn by deck.gl instead.
import type {
  ExpressionSpecification,
  LayerSpecification,
  StyleSpecification,
} from 'maplibre-gl';

export interface BaseStyleOptions {
  /** Absolute or root-relative tile URL template, e.g. `${origin}/tiles/base/{z}/{x}/{y}.pbf`. */
  tilesUrl: string;
  attribution: string;
  /** Optional external raster base map drawn under everything (hidden until toggled on). */
  rasterUrl?: string | null;
  minzoom?: number;
  maxzoom?: number;
}

/** Dark "command centre" palette, tuned so choropleth fills on top stay readable. */
export const PALETTE = {
  background: '#0c1320',
  land: '#0f1828',
  water: '#0d2c4b',
  waterLine: '#1b4a75',
  park: '#10291f',
  residential: '#111b2b',
  commercial: '#161a2d',
  industrial: '#191a25',
  building: '#1c293d',
  buildingTall: '#2a3d5a',
  buildingLine: '#2e4262',
  roadMajor: '#c6975a',
  roadPrimary: '#8d9db8',
  roadSecondary: '#6c7d98',
  roadMinor: '#3e4a60',
  roadPath: '#33405a',
  rail: '#4a5570',
  boundary: '#7c6fd6',
} as const;

const zoomWidth = (w14: number, w18: number): ExpressionSpecification => [
  'interpolate',
  ['exponential', 1.6],
  ['zoom'],
  12,
  Math.max(0.3, w14 * 0.4),
  14,
  w14,
  18,
  w18,
];

const kind: ExpressionSpecification = ['coalesce', ['get', 'kind'], ''];

export function buildBaseStyle(o: BaseStyleOptions): StyleSpecification {
  const minzoom = o.minzoom ?? 10;
  const maxzoom = o.maxzoom ?? 18;
  const layers: LayerSpecification[] = [
    { id: 'background', type: 'background', paint: { 'background-color': PALETTE.background } },
  ];
  if (o.rasterUrl) {
    layers.push({
      id: 'external-raster',
      type: 'raster',
      source: 'external-raster',
      layout: { visibility: 'none' },
      paint: { 'raster-opacity': 0.85, 'raster-saturation': -0.6, 'raster-brightness-max': 0.7 },
    });
  }
  layers.push(
    {
      id: 'landuse',
      type: 'fill',
      source: 'base',
      'source-layer': 'landuse',
      paint: {
        'fill-color': [
          'match',
          kind,
          ['park', 'garden', 'grass', 'forest', 'wood', 'natural_wood', 'meadow', 'recreation_ground', 'pitch', 'playground', 'cemetery', 'village_green', 'nature_reserve', 'scrub', 'grassland', 'golf_course', 'stadium', 'sports_centre'],
          PALETTE.park,
          ['residential'],
          PALETTE.residential,
          ['commercial', 'retail', 'pedestrian', 'attraction'],
          PALETTE.commercial,
          ['industrial', 'railway', 'construction', 'brownfield', 'parking', 'pier', 'bridge'],
          PALETTE.industrial,
          PALETTE.land,
        ],
        'fill-opacity': 0.95,
      },
    },
    {
      id: 'water',
      type: 'fill',
      source: 'base',
      'source-layer': 'water',
      filter: ['match', ['geometry-type'], ['Polygon', 'MultiPolygon'], true, false],
      paint: { 'fill-color': PALETTE.water, 'fill-outline-color': PALETTE.waterLine },
    },
    {
      id: 'waterway',
      type: 'line',
      source: 'base',
      'source-layer': 'water',
      filter: [
        'all',
        ['match', ['geometry-type'], ['LineString', 'MultiLineString'], true, false],
        ['match', kind, ['river', 'stream', 'canal', 'drain', 'ditch'], true, false],
      ],
      paint: { 'line-color': PALETTE.water, 'line-width': zoomWidth(1.5, 6) },
    },
    {
      id: 'roads-path',
      type: 'line',
      source: 'base',
      'source-layer': 'roads',
      minzoom: 15,
      filter: ['match', kind, ['footway', 'path', 'pedestrian', 'steps', 'cycleway', 'track', 'bridleway', 'corridor', 'ferry'], true, false],
      layout: { 'line-cap': 'round' },
      paint: { 'line-color': PALETTE.roadPath, 'line-width': zoomWidth(0.6, 1.6), 'line-dasharray': [2, 1.5] },
    },
    {
      id: 'roads-rail',
      type: 'line',
      source: 'base',
      'source-layer': 'roads',
      filter: ['match', kind, ['rail', 'subway', 'light_rail', 'tram', 'railway', 'monorail'], true, false],
      paint: { 'line-color': PALETTE.rail, 'line-width': zoomWidth(0.8, 2), 'line-dasharray': [3, 2] },
    },
    {
      id: 'roads-minor',
      type: 'line',
      source: 'base',
      'source-layer': 'roads',
      filter: ['match', kind, ['residential', 'service', 'unclassified', 'living_street', 'road', 'tertiary_link', 'minor_road', 'busway'], true, false],
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': PALETTE.roadMinor, 'line-width': zoomWidth(0.8, 5) },
    },
    {
      id: 'roads-secondary',
      type: 'line',
      source: 'base',
      'source-layer': 'roads',
      filter: ['match', kind, ['secondary', 'tertiary', 'secondary_link'], true, false],
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': PALETTE.roadSecondary, 'line-width': zoomWidth(1.2, 8) },
    },
    {
      id: 'roads-primary',
      type: 'line',
      source: 'base',
      'source-layer': 'roads',
      filter: ['match', kind, ['primary', 'primary_link', 'major_road'], true, false],
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': PALETTE.roadPrimary, 'line-width': zoomWidth(1.6, 11) },
    },
    {
      id: 'roads-major',
      type: 'line',
      source: 'base',
      'source-layer': 'roads',
      filter: ['match', kind, ['motorway', 'trunk', 'motorway_link', 'trunk_link'], true, false],
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': PALETTE.roadMajor, 'line-width': zoomWidth(2, 13), 'line-opacity': 0.85 },
    },
    {
      id: 'buildings',
      type: 'fill',
      source: 'base',
      'source-layer': 'buildings',
      // The server sends footprints from z15 (server/tiles/tiles.sql: at 14 they are a pixel or two wide).
      minzoom: 15,
      paint: {
        'fill-color': [
          'interpolate',
          ['linear'],
          ['coalesce', ['to-number', ['get', 'height']], 10],
          10,
          PALETTE.building,
          120,
          PALETTE.buildingTall,
        ],
        'fill-outline-color': PALETTE.buildingLine,
        'fill-opacity': ['interpolate', ['linear'], ['zoom'], 15, 0.7, 16, 0.95],
      },
    },
    {
      id: 'boundaries',
      type: 'line',
      source: 'base',
      'source-layer': 'boundaries',
      paint: { 'line-color': PALETTE.boundary, 'line-width': 1.2, 'line-opacity': 0.6, 'line-dasharray': [4, 2] },
    },
  );

  const style: StyleSpecification = {
    version: 8,
    name: 'GridCommand dark',
    sources: {
      base: {
        type: 'vector',
        tiles: [o.tilesUrl],
        minzoom,
        maxzoom,
        attribution: o.attribution,
      },
    },
    layers,
  };
  if (o.rasterUrl) {
    style.sources['external-raster'] = { type: 'raster', tiles: [o.rasterUrl], tileSize: 256, attribution: '外部底图' };
  }
  return style;
}
