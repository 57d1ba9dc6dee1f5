// The grid editor's working state: the shared-vertex topology of a community's grids plus each
// grid's draft attributes (id, name, lock, lineage). Every edit returns a new state (undo keeps the
// old ones) or a typed failure with a zh-CN message. No DOM, no map: unit-tested.
import type { MultiPolygon, Polygon } from 'geojson';
import type { DraftGrid, Lineage } from '../../../../core/grid-edit/contract.js';
import {
  addDrawnFace,
  buildTopology,
  deleteFace,
  edgeFaces,
  faceArea,
  faceGeometry,
  facesOfVertex,
  insertVertex,
  mergeFaces,
  moveVertex,
  splitFace,
  type LonLat,
  type Topology,
  type TopoResult,
} from '../../../../core/grid-edit/topology.js';
import type { EditHandle } from '../../map/grid-editor.js';

export interface GridMeta {
  id: number | null;
  code: string | null;
  name: string;
  locked: boolean;
  lineage?: Lineage;
}

export interface EditorState {
  readonly topo: Topology;
  readonly meta: ReadonlyMap<string, GridMeta>;
}

type Fail = { ok: false; code: string; message: string };
export type EditResult<T> = { ok: true; value: T } | Fail;
const fail = (code: string, message: string): Fail => ({ ok: false, code, message });

export function stateFromGrids(grids: readonly (DraftGrid & { code?: string | null })[]): EditorState {
  const topo = buildTopology(grids.map((g) => ({ key: g.key, geometry: g.geometry })));
  const meta = new Map<string, GridMeta>();
  for (const g of grids) meta.set(g.key, { id: g.id, code: g.code ?? null, name: g.name, locked: !!g.locked, lineage: g.lineage });
  return { topo, meta };
}

export function gridsFromState(s: EditorState): DraftGrid[] {
  const out: DraftGrid[] = [];
  for (const f of s.topo.faces) {
    const geometry = faceGeometry(s.topo, f.key);
    const m = s.meta.get(f.key);
    if (!geometry || !m) continue;
    const g: DraftGrid = { id: m.id, key: f.key, name: m.name, geometry };
    if (m.locked) g.locked = true;
    if (m.lineage && (m.lineage.splitFrom !== undefined || m.lineage.mergedFrom?.length)) g.lineage = m.lineage;
    out.push(g);
  }
  return out;
}

/** A key no grid of the state uses yet: new-1, new-2, … */
export function nextKey(s: EditorState, taken: ReadonlySet<string> = new Set()): string {
  let n = 0;
  for (const k of [...s.meta.keys(), ...taken]) {
    const m = /^new-(\d+)$/.exec(k);
    if (m) n = Math.max(n, Number(m[1]));
  }
  return `new-${n + 1}`;
}

/**
 * The name of the next grid: "外滩街道·中山东一路社区·第04网格" after 第01–第03 (same prefix, next
 * number, two digits); "<community>·第01网格" when no name follows that pattern.
 */
export function nextGridName(names: readonly string[], communityName: string): string {
  let prefix: string | null = null;
  let max = 0;
  for (const n of names) {
    const m = /^(.*?)第(\d+)网格$/.exec(n);
    if (!m) continue;
    prefix ??= m[1]!;
    max = Math.max(max, Number(m[2]));
  }
  return `${prefix ?? `${communityName}·`}第${String(max + 1).padStart(2, '0')}网格`;
}

const ref = (m: GridMeta, key: string): number | string => m.id ?? key;

function namesOf(meta: ReadonlyMap<string, GridMeta>): string[] {
  return [...meta.values()].map((m) => m.name);
}

/**
 * Split every unlocked grid the line crosses (分割). The larger piece of each keeps the grid's id
 * and name; each other piece is a new grid with lineage splitFrom.
 */
export function splitGrids(s: EditorState, line: readonly LonLat[], communityName: string): EditResult<{ state: EditorState; created: string[]; split: string[] }> {
  let topo = s.topo;
  const meta = new Map(s.meta);
  const created: string[] = [];
  const split: string[] = [];
  let lastError: Fail | null = null;
  for (const face of s.topo.faces) {
    const m = meta.get(face.key);
    if (!m) continue;
    const taken = new Set(created);
    const r = splitFace(topo, face.key, line, { newKey: () => { const k = nextKey({ topo, meta }, taken); taken.add(k); return k; } });
    if (!r.ok) {
      if (r.code !== 'line_must_cross') lastError = r;
      continue;
    }
    if (m.locked) return fail('locked', `${m.name} 已锁定，不能分割；请先取消锁定`);
    topo = r.value.topology;
    split.push(face.key);
    for (const k of r.value.keys.slice(1)) {
      meta.set(k, { id: null, code: null, name: nextGridName(namesOf(meta), communityName), locked: false, lineage: { splitFrom: ref(m, face.key) } });
      created.push(k);
    }
  }
  if (split.length === 0) return lastError ?? fail('line_must_cross', '分割线必须完整穿过网格（从网格外画到网格外）');
  return { ok: true, value: { state: { topo, meta }, created, split } };
}

/** Merge two neighbours (合并). The one that is published (has an id) keeps its id and name. */
export function mergeGrids(s: EditorState, a: string, b: string): EditResult<EditorState> {
  const ma = s.meta.get(a), mb = s.meta.get(b);
  if (!ma || !mb) return fail('not_found', '网格不存在');
  if (ma.locked || mb.locked) return fail('locked', `${ma.locked ? ma.name : mb.name} 已锁定，不能合并`);
  const [keep, gone] = ma.id == null && mb.id != null ? [b, a] : [a, b];
  const mk = s.meta.get(keep)!, mg = s.meta.get(gone)!;
  const r = mergeFaces(s.topo, keep, gone);
  if (!r.ok) return r;
  const meta = new Map(s.meta);
  meta.delete(gone);
  const mergedFrom = [...(mk.lineage?.mergedFrom ?? []), ref(mg, gone), ...(mg.lineage?.mergedFrom ?? [])];
  meta.set(keep, { ...mk, lineage: { ...mk.lineage, mergedFrom } });
  return { ok: true, value: { topo: r.value, meta } };
}

/** Delete a grid (删除): its area joins `giveTo`, or becomes a gap that validation reports. */
export function deleteGrid(s: EditorState, key: string, giveTo?: string): EditResult<EditorState> {
  const m = s.meta.get(key);
  if (!m) return fail('not_found', '网格不存在');
  if (m.locked) return fail('locked', `${m.name} 已锁定，不能删除`);
  if (giveTo) return mergeGrids(s, giveTo, key);
  const r = deleteFace(s.topo, key);
  if (!r.ok) return r;
  const meta = new Map(s.meta);
  meta.delete(key);
  return { ok: true, value: { topo: r.value, meta } };
}

/** Draw a new grid (绘制): the free part of the drawn ring inside the community. */
export function drawGrid(s: EditorState, ring: readonly LonLat[], community: Polygon | MultiPolygon, communityName: string): EditResult<{ state: EditorState; key: string }> {
  if (ring.length < 3) return fail('degenerate', '多边形至少需要三个点');
  const key = nextKey(s);
  const drawn: Polygon = { type: 'Polygon', coordinates: [[...ring.map((p) => [p[0], p[1]]), [ring[0]![0], ring[0]![1]]]] };
  const r = addDrawnFace(s.topo, key, drawn, community);
  if (!r.ok) return r;
  const meta = new Map(s.meta);
  meta.set(key, { id: null, code: null, name: nextGridName(namesOf(meta), communityName), locked: false });
  return { ok: true, value: { state: { topo: r.value.topology, meta }, key } };
}

export function setLocked(s: EditorState, key: string, locked: boolean): EditorState {
  const m = s.meta.get(key);
  if (!m) return s;
  const meta = new Map(s.meta);
  meta.set(key, { ...m, locked });
  return { topo: s.topo, meta };
}

export function rename(s: EditorState, key: string, name: string): EditorState {
  const m = s.meta.get(key);
  if (!m || !name.trim()) return s;
  const meta = new Map(s.meta);
  meta.set(key, { ...m, name: name.trim() });
  return { topo: s.topo, meta };
}

function lockedVertex(s: EditorState, v: number): boolean {
  return facesOfVertex(s.topo, v).some((k) => s.meta.get(k)?.locked);
}

/**
 * Handles for reshaping (修改): every vertex of an unlocked grid (shared ones marked) and the
 * midpoint of every edge (drag it to bend the edge: a vertex is inserted into both neighbours).
 */
export function handlesOf(s: EditorState): EditHandle[] {
  const out: EditHandle[] = [];
  const shared = new Map<number, number>();
  for (const f of s.topo.faces) {
    const seen = new Set<number>();
    for (const rings of f.polys) for (const ring of rings) for (const v of ring) if (!seen.has(v)) { seen.add(v); shared.set(v, (shared.get(v) ?? 0) + 1); }
  }
  for (const [v, n] of shared) if (!lockedVertex(s, v)) out.push({ id: `v:${v}`, position: s.topo.vertices[v]!, kind: 'vertex', shared: n > 1 });
  for (const [k, keys] of edgeFaces(s.topo)) {
    if (keys.some((key) => s.meta.get(key)?.locked)) continue;
    const [a, b] = k.split(',').map(Number) as [number, number];
    const p = s.topo.vertices[a]!, q = s.topo.vertices[b]!;
    out.push({ id: `e:${a},${b}`, position: [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2], kind: 'midpoint' });
  }
  return out;
}

/** Apply a finished handle drag: move a vertex (every grid using it follows) or bend an edge. */
export function moveHandle(s: EditorState, id: string, to: LonLat): EditResult<EditorState> {
  let topo = s.topo;
  let v: number;
  if (id.startsWith('v:')) {
    v = Number(id.slice(2));
  } else if (id.startsWith('e:')) {
    const [a, b] = id.slice(2).split(',').map(Number) as [number, number];
    const p = topo.vertices[a], q = topo.vertices[b];
    if (!p || !q) return fail('not_found', '边不存在');
    const r = insertVertex(topo, a, b, [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2]);
    if (!r.ok) return r;
    topo = r.value.topology;
    v = r.value.vertex;
  } else return fail('not_found', '未知的编辑点');
  if (!topo.vertices[v]) return fail('not_found', '顶点不存在');
  if (lockedVertex({ topo, meta: s.meta }, v)) return fail('locked', '该点属于已锁定的网格');
  const r = moveVertex(topo, v, to);
  if (!r.ok) return r;
  return { ok: true, value: { topo: r.value, meta: s.meta } };
}

/** Grids by area, largest first (for choosing which neighbour takes a deleted grid's area). */
export function neighboursBySharedLength(s: EditorState, key: string): string[] {
  const len = new Map<string, number>();
  for (const [k, keys] of edgeFaces(s.topo)) {
    if (!keys.includes(key)) continue;
    const [a, b] = k.split(',').map(Number) as [number, number];
    const p = s.topo.xy[a]!, q = s.topo.xy[b]!;
    for (const o of keys) if (o !== key) len.set(o, (len.get(o) ?? 0) + Math.hypot(p[0] - q[0], p[1] - q[1]));
  }
  return [...len.entries()].sort((x, y) => y[1] - x[1]).map(([k]) => k);
}

export function areaOf(s: EditorState, key: string): number {
  return faceArea(s.topo, key);
}
