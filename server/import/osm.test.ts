// Pure tests of the OSM XML reader and feature assembly (no database).
import { readFileSync } from 'node:fs';
import type { MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { ImportError } from './features.js';
import { OsmXmlReader, assembleOsm, joinRings, nestRings, readOsmXml } from './osm.js';

const FIXTURE = new URL('../../geojson/fixtures/wudaokou.osm', import.meta.url);

/** Build a small OSM document: nodes as [id, lon, lat], ways as [id, refs, tags], relations. */
function osm(parts: {
  nodes?: [number, number, number, Record<string, string>?][];
  ways?: [number, number[], Record<string, string>][];
  relations?: [number, [string, number, string][], Record<string, string>][];
  bounds?: [number, number, number, number];
}): string {
  const tags = (t: Record<string, string> = {}) =>
    Object.entries(t).map(([k, v]) => `<tag k="${k}" v="${v.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"/>`).join('');
  const b = parts.bounds ? `<bounds minlon="${parts.bounds[0]}" minlat="${parts.bounds[1]}" maxlon="${parts.bounds[2]}" maxlat="${parts.bounds[3]}"/>` : '';
  const n = (parts.nodes ?? []).map(([id, lon, lat, t]) => `<node id="${id}" lon="${lon}" lat="${lat}">${tags(t)}</node>`).join('\n');
  const w = (parts.ways ?? []).map(([id, refs, t]) => `<way id="${id}">${refs.map((r) => `<nd ref="${r}"/>`).join('')}${tags(t)}</way>`).join('\n');
  const r = (parts.relations ?? []).map(([id, ms, t]) =>
    `<relation id="${id}">${ms.map(([type, ref, role]) => `<member type="${type}" ref="${ref}" role="${role}"/>`).join('')}${tags(t)}</relation>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n${b}\n${n}\n${w}\n${r}\n</osm>\n`;
}

// A 3×3 grid of nodes 1..9 at lon 116.30+0.01·x, lat 40.00+0.01·y, plus a small square 11..14 inside.
const grid: [number, number, number][] = [];
for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) grid.push([1 + y * 3 + x, 116.3 + 0.01 * x, 40 + 0.01 * y]);
const inner: [number, number, number][] = [
  [11, 116.305, 40.005], [12, 116.315, 40.005], [13, 116.315, 40.015], [14, 116.305, 40.015],
];

describe('OsmXmlReader', () => {
  it('reads nodes, tags, ways, relations and bounds, streamed in arbitrary chunks', () => {
    const xml = osm({
      bounds: [116.3, 40, 116.32, 40.02],
      nodes: [...grid, [100, 116.31, 40.01, { amenity: 'school', name: 'A&B "小学"' }]],
      ways: [[1, [1, 2, 3], { highway: 'primary' }]],
      relations: [[5, [['way', 1, 'outer']], { type: 'multipolygon', landuse: 'grass' }]],
    });
    const r = new OsmXmlReader();
    for (let i = 0; i < xml.length; i += 7) r.write(xml.slice(i, i + 7));
    const d = r.end();
    expect(d.bounds).toEqual([116.3, 40, 116.32, 40.02]);
    expect(d.nodes.size).toBe(10);
    expect(d.taggedNodes).toEqual([{ id: 100, tags: { amenity: 'school', name: 'A&B "小学"' } }]);
    expect(d.ways.get(1)).toEqual({ id: 1, refs: [1, 2, 3], tags: { highway: 'primary' } });
    expect(d.relations[0]).toEqual({ id: 5, members: [{ type: 'way', ref: 1, role: 'outer' }], tags: { type: 'multipolygon', landuse: 'grass' } });
  });

  it('rejects truncated and non-OSM XML with a one-line ImportError', () => {
    const xml = osm({ nodes: grid });
    expect(() => readOsmXml(xml.slice(0, xml.length - 20))).toThrow(ImportError);
    expect(() => readOsmXml(xml.slice(0, xml.length - 20))).toThrow(/^broken XML at line \d+, column \d+: /);
    expect(() => readOsmXml('<gpx><trk/></gpx>')).toThrow(/not an OSM XML file/);
    expect(() => readOsmXml('{"type":"FeatureCollection"}')).toThrow(ImportError);
    expect(() => readOsmXml('')).toThrow(ImportError);
    try {
      readOsmXml('<osm><node id="1" lat="1" lon="1"></way></osm>');
    } catch (e) {
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('skips deleted and invisible elements', () => {
    const d = readOsmXml('<osm><node id="1" lat="40" lon="116" action="delete"><tag k="amenity" v="school"/></node>' +
      '<node id="2" lat="40" lon="116" visible="false"/><node id="3" lat="40" lon="116"/></osm>');
    expect([...d.nodes.keys()]).toEqual([3]);
    expect(d.taggedNodes).toEqual([]);
  });
});

describe('ring assembly', () => {
  it('joins split and reversed ways into closed rings', () => {
    expect(joinRings([[1, 2, 3], [7, 4, 1], [3, 6, 9], [9, 8, 7]])).toEqual([[9, 8, 7, 4, 1, 2, 3, 6, 9]]);
    expect(joinRings([[1, 2, 3], [9, 6, 3], [7, 8, 9], [1, 4, 7]])).toHaveLength(1);
    expect(joinRings([[1, 2, 3], [3, 6, 9]])).toBeNull(); // cannot close
    expect(joinRings([[1, 2, 5, 1]])).toEqual([[1, 2, 5, 1]]);
  });

  it('nests holes by containment, whatever the roles say', () => {
    const big = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]];
    const hole = [[2, 2], [8, 2], [8, 8], [2, 8], [2, 2]];
    const island = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]];
    const apart = [[20, 20], [21, 20], [21, 21], [20, 20]];
    const polys = nestRings([island, apart, hole, big]);
    expect(polys).toHaveLength(3);
    expect(polys[0]).toEqual([big, hole]);
    expect(polys).toContainEqual([island]);
    expect(polys).toContainEqual([apart]);
  });
});

describe('assembleOsm', () => {
  const base = { bounds: [116.3, 40, 116.32, 40.02] as [number, number, number, number], nodes: [...grid, ...inner] };

  it('builds buildings with heights, roads with walkability, facilities and base layers', () => {
    const { features: f } = assembleOsm(readOsmXml(osm({
      ...base,
      nodes: [...base.nodes,
        [100, 116.311, 40.011, { amenity: 'kindergarten', name: '幼儿园' }],
        [101, 116.312, 40.012, { amenity: 'restaurant' }],
        [102, 116.313, 40.013, { highway: 'traffic_signals' }],
        [103, 116.314, 40.014, { created_by: 'JOSM' }]],
      ways: [
        [1, [1, 2, 5, 4, 1], { building: 'apartments', height: '30 m', 'building:levels': '10', name: '1号楼' }],
        [2, [1, 2, 3], { highway: 'motorway', name: '京藏高速' }],
        [3, [4, 5, 6], { highway: 'footway' }],
        [4, [7, 8], { highway: 'platform' }],
        [5, [5, 6, 9, 8, 5], { landuse: 'residential' }],
        [6, [11, 12, 13, 14, 11], { leisure: 'park', name: '小公园' }],
        [7, [2, 3, 6, 2], { highway: 'service' }], // a closed loop road stays a line
      ],
    })));
    expect(f.buildings).toHaveLength(1);
    expect(f.buildings[0]).toMatchObject({ osmId: 'way/1', name: '1号楼', kind: 'apartments', heightM: 30, levels: 10, residential: true });
    expect(f.roads.map((r) => [r.osmId, r.kind, r.walkable, r.footway, r.geom.type])).toEqual([
      ['way/2', 'motorway', false, false, 'LineString'],
      ['way/3', 'footway', true, true, 'LineString'],
      ['way/7', 'service', true, false, 'LineString'],
    ]);
    expect(f.base.map((b) => [b.layer, b.kind])).toEqual([['landuse', 'residential'], ['landuse', 'park']]);
    expect(f.facilities.map((x) => [x.osmId, x.serviceClass, x.geom.type])).toEqual([
      ['node/100', 'child_care', 'Point'],
      ['way/6', 'park', 'Polygon'],
    ]);
    expect(f.skipped).toEqual({
      'POI without a service class': 1,
      'highway way that is not a road (platform, construction…)': 1,
    });
    expect(f.unclassified).toEqual({ 'amenity=restaurant': 1 });
  });

  it('assembles multipolygon relations with inner rings from split member ways', () => {
    const { features: f } = assembleOsm(readOsmXml(osm({
      ...base,
      ways: [
        [1, [1, 2, 3], {}], [2, [3, 6, 9], {}], [3, [7, 8, 9], {}], [4, [1, 4, 7], {}], // outer, split in 4, one reversed
        [5, [11, 12, 13, 14, 11], {}],
      ],
      relations: [[10, [['way', 1, 'outer'], ['way', 2, 'outer'], ['way', 3, 'outer'], ['way', 4, 'outer'], ['way', 5, 'inner']],
        { type: 'multipolygon', natural: 'water', name: '湖' }]],
    })));
    expect(f.base).toHaveLength(1);
    const g = f.base[0]!.geom as Polygon;
    expect(f.base[0]).toMatchObject({ layer: 'water', kind: 'water', name: '湖', osmId: 'relation/10' });
    expect(g.type).toBe('Polygon');
    expect(g.coordinates).toHaveLength(2);
    expect(g.coordinates[0]).toHaveLength(9);
  });

  it('makes a MultiPolygon from several outer rings, and a building from a building relation', () => {
    const { features: f } = assembleOsm(readOsmXml(osm({
      ...base,
      ways: [[1, [1, 2, 5, 4, 1], {}], [2, [6, 9, 8, 6], {}]],
      relations: [[10, [['way', 1, 'outer'], ['way', 2, 'outer']], { type: 'multipolygon', building: 'yes', 'building:levels': '3' }]],
    })));
    expect(f.buildings).toHaveLength(1);
    expect((f.buildings[0]!.geom as MultiPolygon).type).toBe('MultiPolygon');
    expect(f.buildings[0]!.levels).toBe(3);
  });

  it('counts incomplete relations and degenerate ways as skipped; keeps what boundary lines exist', () => {
    const { features: f } = assembleOsm(readOsmXml(osm({
      ...base,
      ways: [
        [1, [1, 2, 3], {}],
        [2, [1, 2, 1], { building: 'yes' }], // three nodes: no area
        [3, [4, 5, 6], { building: 'yes' }], // unclosed
        [4, [4, 999], { highway: 'residential' }], // node missing from the file
      ],
      relations: [
        [10, [['way', 1, 'outer'], ['way', 77, 'outer']], { type: 'multipolygon', landuse: 'forest' }],
        [11, [['way', 1, 'outer'], ['way', 78, 'outer']], { type: 'boundary', boundary: 'administrative', admin_level: '8', name: '海淀区' }],
      ],
    })));
    expect(f.skipped).toEqual({
      'polygon ring with fewer than 4 points': 1,
      'unclosed building way': 1,
      'way references nodes missing from the file': 1,
      'incomplete multipolygon relation (members missing from the file)': 1,
    });
    expect(f.base).toHaveLength(1);
    expect(f.base[0]).toMatchObject({ layer: 'boundary', kind: 'admin_level_8', name: '海淀区' });
    expect(f.base[0]!.geom.type).toBe('MultiLineString');
  });

  it('imports a complete administrative boundary as a polygon', () => {
    const { features: f } = assembleOsm(readOsmXml(osm({
      ...base,
      ways: [[1, [1, 3, 9], { boundary: 'administrative', admin_level: '8' }], [2, [9, 7, 1], { boundary: 'administrative', admin_level: '8' }]],
      relations: [[11, [['way', 1, 'outer'], ['way', 2, 'outer'], ['node', 5, 'admin_centre']],
        { type: 'boundary', boundary: 'administrative', admin_level: '8', name: '学院路街道' }]],
    })));
    expect(f.base).toHaveLength(1); // member ways are not imported again as lines
    expect(f.base[0]).toMatchObject({ layer: 'boundary', name: '学院路街道' });
    expect(f.base[0]!.geom.type).toBe('Polygon');
  });

  it('leaves self-intersections to the database but closes nothing it should not', () => {
    const { features: f } = assembleOsm(readOsmXml(osm({
      ...base,
      ways: [[1, [1, 5, 2, 4, 1], { building: 'yes' }]], // bow-tie
    })));
    expect(f.buildings).toHaveLength(1);
    expect(f.repaired).toEqual({});
  });
});

describe('the Wudaokou extract (pure assembly)', () => {
  it('yields roughly what the reference conversions hold', () => {
    const r = new OsmXmlReader();
    r.write(readFileSync(FIXTURE, 'utf8'));
    const { features: f, bounds, counts } = assembleOsm(r.end());
    expect(bounds).toEqual([116.3084, 39.9905, 116.332, 40.0123]);
    expect(counts).toEqual({ nodes: 7450, ways: 1360, relations: 189 });
    // Reference: buildings.geojson 520 polygons (+1 multipolygon relation here).
    expect(f.buildings.length).toBeGreaterThanOrEqual(515);
    expect(f.buildings.length).toBeLessThanOrEqual(530);
    // Reference: roads.geojson 684 lines, of which 44 are highway=platform (not roads here).
    expect(f.roads.length).toBeGreaterThanOrEqual(630);
    expect(f.roads.length).toBeLessThanOrEqual(684);
    expect(f.facilities.length).toBeGreaterThanOrEqual(120);
    expect(f.base.filter((b) => b.layer === 'water').length).toBeGreaterThanOrEqual(5);
    expect(f.base.filter((b) => b.layer === 'landuse').length).toBeGreaterThanOrEqual(50);
  });
});
