// OpenStreetMap XML (.osm) → import features. Pure: text in (streamed in chunks), rows out.
// Handles nodes, ways and relations (multipolygon/boundary with outer and inner members).
import type { Geometry, Position } from 'geojson';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import type { Tags } from '../../core/osm-tags.js';
import { isAreaWay } from '../../core/osm-tags.js';
import { ImportError, ParsedFeatures, bump, cleanGeometry, emitTagged } from './features.js';

export type Bounds = [minLon: number, minLat: number, maxLon: number, maxLat: number];

interface OsmWay {
  id: number;
  refs: number[];
  tags: Record<string, string> | null;
}
interface OsmMember {
  type: string;
  ref: number;
  role: string;
}
interface OsmRelation {
  id: number;
  members: OsmMember[];
  tags: Record<string, string>;
}

export interface OsmData {
  bounds: Bounds | null;
  /** id → [lon, lat] of every node. */
  nodes: Map<number, [number, number]>;
  taggedNodes: { id: number; tags: Record<string, string> }[];
  ways: Map<number, OsmWay>;
  relations: OsmRelation[];
}

/** Streaming OSM XML reader: write() chunks as they are read, then end(). */
export class OsmXmlReader {
  private readonly parser = new SaxesParser({ position: true });
  private readonly data: OsmData = { bounds: null, nodes: new Map(), taggedNodes: [], ways: new Map(), relations: [] };
  private depth = 0;
  private sawRoot = false;
  private node: { id: number; tags: Record<string, string> | null } | null = null;
  private way: OsmWay | null = null;
  private relation: OsmRelation | null = null;
  private skipping = false;

  constructor() {
    this.parser.on('opentag', (t) => this.open(t as SaxesTagPlain));
    this.parser.on('closetag', (t) => this.close(t.name));
  }

  write(chunk: string): void {
    try {
      this.parser.write(chunk);
    } catch (e) {
      throw this.wrap(e);
    }
  }

  end(): OsmData {
    try {
      this.parser.close();
    } catch (e) {
      throw this.wrap(e);
    }
    if (!this.sawRoot) throw new ImportError('not an OSM XML file (no <osm> element)');
    return this.data;
  }

  private wrap(e: unknown): Error {
    if (e instanceof ImportError) return e;
    const msg = (e as Error).message ?? String(e);
    // saxes: "12:34: unclosed tag: osm" → "broken XML at line 12, column 34: unclosed tag: osm".
    const m = /^(?:[^:\d][^:]*:)?(\d+):(\d+):\s*(.*)$/s.exec(msg);
    return new ImportError(m ? `broken XML at line ${m[1]}, column ${m[2]}: ${m[3]}` : `broken XML: ${msg}`);
  }

  private open(t: SaxesTagPlain): void {
    this.depth++;
    const a = t.attributes;
    if (this.depth === 1) {
      if (t.name !== 'osm') throw new ImportError(`not an OSM XML file (root element <${t.name}>)`);
      this.sawRoot = true;
      return;
    }
    if (this.depth === 2) {
      this.skipping = a['action'] === 'delete' || a['visible'] === 'false';
      if (this.skipping) return;
      switch (t.name) {
        case 'bounds': {
          const b = [a['minlon'], a['minlat'], a['maxlon'], a['maxlat']].map(Number);
          if (b.every(Number.isFinite)) this.data.bounds = b as Bounds;
          return;
        }
        case 'node': {
          const id = Number(a['id']);
          const lon = Number(a['lon']);
          const lat = Number(a['lat']);
          if (Number.isFinite(id) && Number.isFinite(lon) && Number.isFinite(lat)) this.data.nodes.set(id, [lon, lat]);
          this.node = { id, tags: null };
          return;
        }
        case 'way':
          this.way = { id: Number(a['id']), refs: [], tags: null };
          return;
        case 'relation':
          this.relation = { id: Number(a['id']), members: [], tags: {} };
          return;
        default:
          return;
      }
    }
    if (this.depth === 3 && !this.skipping) {
      if (t.name === 'tag') {
        const k = a['k'];
        const v = a['v'];
        if (k === undefined || v === undefined) return;
        if (this.node) (this.node.tags ??= {})[k] = v;
        else if (this.way) (this.way.tags ??= {})[k] = v;
        else if (this.relation) this.relation.tags[k] = v;
      } else if (t.name === 'nd' && this.way) {
        this.way.refs.push(Number(a['ref']));
      } else if (t.name === 'member' && this.relation) {
        this.relation.members.push({ type: a['type'] ?? '', ref: Number(a['ref']), role: a['role'] ?? '' });
      }
    }
  }

  private close(name: string): void {
    if (this.depth === 2 && !this.skipping) {
      if (name === 'node' && this.node) {
        if (this.node.tags) this.data.taggedNodes.push({ id: this.node.id, tags: this.node.tags });
        this.node = null;
      } else if (name === 'way' && this.way) {
        this.data.ways.set(this.way.id, this.way);
        this.way = null;
      } else if (name === 'relation' && this.relation) {
        this.data.relations.push(this.relation);
        this.relation = null;
      }
    }
    if (this.depth === 2) this.skipping = false;
    this.depth--;
  }
}

/** Parse a whole OSM XML string (tests, small files). */
export function readOsmXml(text: string): OsmData {
  const r = new OsmXmlReader();
  r.write(text);
  return r.end();
}

// Tags that say nothing about what a feature is.
const META_TAGS = new Set(['created_by', 'source', 'note', 'fixme', 'FIXME', 'attribution', 'comment']);
const meaningful = (tags: Tags | null): tags is Tags => !!tags && Object.keys(tags).some((k) => !META_TAGS.has(k));

// ---------------------------------------------------------------------------------------------
// Rings from relation members

type Ring = number[]; // node ids, closed (first === last)

/** Join member ways into closed rings by shared end nodes; null when some chain cannot close. */
export function joinRings(ways: number[][]): Ring[] | null {
  const rings: Ring[] = [];
  const open: number[][] = [];
  for (const w of ways) {
    if (w.length < 2) continue;
    if (w[0] === w[w.length - 1]) rings.push(w);
    else open.push(w);
  }
  while (open.length) {
    let cur = open.pop()!.slice();
    for (;;) {
      if (cur[0] === cur[cur.length - 1]) break;
      const end = cur[cur.length - 1];
      const i = open.findIndex((w) => w[0] === end || w[w.length - 1] === end);
      if (i < 0) return null;
      const [w] = open.splice(i, 1);
      cur = cur.concat((w![0] === end ? w! : w!.slice().reverse()).slice(1));
    }
    rings.push(cur);
  }
  return rings;
}

function ringArea(r: Position[]): number {
  let s = 0;
  for (let i = 0; i + 1 < r.length; i++) s += r[i]![0]! * r[i + 1]![1]! - r[i + 1]![0]! * r[i]![1]!;
  return s / 2;
}

function pointInRing([x, y]: Position, r: Position[]): boolean {
  let inside = false;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const [xi, yi] = r[i]!;
    const [xj, yj] = r[j]!;
    if ((yi! > y!) !== (yj! > y!) && x! < ((xj! - xi!) * (y! - yi!)) / (yj! - yi!) + xi!) inside = !inside;
  }
  return inside;
}

/** Is ring a inside ring b? Tested at a vertex of a that is not a vertex of b (rings may touch). */
function ringInside(a: Position[], b: Position[]): boolean {
  const bv = new Set(b.map((p) => `${p[0]},${p[1]}`));
  const probe = a.find((p) => !bv.has(`${p[0]},${p[1]}`)) ??
    [(a[0]![0]! + a[1]![0]!) / 2, (a[0]![1]! + a[1]![1]!) / 2];
  return pointInRing(probe, b);
}

/**
 * Arrange rings into polygons by nesting (roles are often wrong in the wild): a ring inside an
 * even number of others is an outer ring, inside an odd number a hole of the smallest container.
 */
export function nestRings(rings: Position[][]): Position[][][] {
  const sorted = rings
    .map((r) => ({ r, a: Math.abs(ringArea(r)) }))
    .sort((p, q) => q.a - p.a);
  const polys: { outer: Position[]; holes: Position[][]; a: number }[] = [];
  const depthOf: number[] = [];
  const containerOf: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    // Scanning from the smallest larger ring finds the smallest container first.
    let container = -1;
    for (let j = i - 1; j >= 0; j--) {
      if (ringInside(sorted[i]!.r, sorted[j]!.r)) { container = j; break; }
    }
    depthOf[i] = container < 0 ? 0 : depthOf[container]! + 1;
    containerOf[i] = container;
  }
  const polyIndex = new Map<number, number>();
  for (let i = 0; i < sorted.length; i++) {
    if (depthOf[i]! % 2 === 0) {
      polyIndex.set(i, polys.length);
      polys.push({ outer: sorted[i]!.r, holes: [], a: sorted[i]!.a });
    } else {
      const p = polyIndex.get(containerOf[i]!);
      if (p !== undefined) polys[p]!.holes.push(sorted[i]!.r);
    }
  }
  return polys.map((p) => [p.outer, ...p.holes]);
}

// ---------------------------------------------------------------------------------------------
// Assembly

export interface OsmResult {
  features: ParsedFeatures;
  bounds: Bounds | null;
  counts: { nodes: number; ways: number; relations: number };
}

/** Turn parsed OSM elements into import rows. */
export function assembleOsm(data: OsmData): OsmResult {
  const out = new ParsedFeatures();
  const coordsOf = (refs: number[]): Position[] | null => {
    const cs: Position[] = [];
    for (const r of refs) {
      const c = data.nodes.get(r);
      if (!c) return null;
      cs.push(c);
    }
    return cs;
  };
  const emit = (osmId: string, tags: Tags, geom: Geometry): void => {
    const c = cleanGeometry(geom, out.repaired);
    if (!c.ok) {
      bump(out.skipped, c.reason);
      return;
    }
    emitTagged(out, osmId, tags, c.geom);
  };

  for (const n of data.taggedNodes) {
    if (!meaningful(n.tags)) continue;
    const c = data.nodes.get(n.id)!;
    if (!c) continue;
    const geom: Geometry = { type: 'Point', coordinates: c };
    const c2 = cleanGeometry(geom, out.repaired);
    if (c2.ok) emitTagged(out, `node/${n.id}`, n.tags, c2.geom);
  }

  // Ways used as members of multipolygon/boundary relations that carry the relation's meaning.
  const boundaryMembers = new Set<number>();
  for (const rel of data.relations) {
    if (rel.tags['boundary'] === 'administrative') for (const m of rel.members) if (m.type === 'way') boundaryMembers.add(m.ref);
  }

  for (const w of data.ways.values()) {
    const tags = w.tags;
    if (!meaningful(tags)) continue;
    const cs = coordsOf(w.refs);
    if (!cs) {
      bump(out.skipped, 'way references nodes missing from the file');
      continue;
    }
    const closed = w.refs.length >= 3 && w.refs[0] === w.refs[w.refs.length - 1];
    if (tags['boundary'] === 'administrative' && !closed && boundaryMembers.has(w.id)) continue;
    if (closed && isAreaWay(tags)) {
      emit(`way/${w.id}`, tags, { type: 'Polygon', coordinates: [cs] });
    } else if (tags['building'] && tags['building'] !== 'no' && !tags['highway']) {
      bump(out.skipped, closed ? 'polygon ring with fewer than 4 points' : 'unclosed building way');
    } else {
      emit(`way/${w.id}`, tags, { type: 'LineString', coordinates: cs });
    }
  }

  for (const rel of data.relations) {
    const type = rel.tags['type'];
    if (type !== 'multipolygon' && type !== 'boundary') continue;
    const tags: Tags = Object.fromEntries(Object.entries(rel.tags).filter(([k]) => k !== 'type'));
    if (!meaningful(tags)) continue; // old-style multipolygon: the tagged outer way was imported itself
    const memberWays: number[][] = [];
    let missing = 0;
    for (const m of rel.members) {
      if (m.type !== 'way' || (m.role !== 'outer' && m.role !== 'inner' && m.role !== '')) continue;
      const w = data.ways.get(m.ref);
      if (!w || !w.refs.every((r) => data.nodes.has(r))) missing++;
      else memberWays.push(w.refs);
    }
    const rings = missing ? null : joinRings(memberWays);
    const osmId = `relation/${rel.id}`;
    if (!rings || rings.length === 0) {
      if (tags['boundary'] === 'administrative' && memberWays.length) {
        // Administrative areas are rarely complete in an extract: keep the lines we have.
        const lines = memberWays.map((refs) => coordsOf(refs)!);
        emit(osmId, { ...tags, incomplete: 'yes' }, { type: 'MultiLineString', coordinates: lines });
      } else {
        bump(out.skipped, 'incomplete multipolygon relation (members missing from the file)');
      }
      continue;
    }
    const polys = nestRings(rings.map((r) => coordsOf(r)!));
    emit(osmId, tags, polys.length === 1 ? { type: 'Polygon', coordinates: polys[0]! } : { type: 'MultiPolygon', coordinates: polys });
  }

  return {
    features: out,
    bounds: data.bounds,
    counts: { nodes: data.nodes.size, ways: data.ways.size, relations: data.relations.length },
  };
}
