// 网格划分 (/grids): the analyst's grid editor. Topological editing of one community's grids
// (draw, reshape shared boundaries, split by a line, merge, delete, undo/redo, snapping), live
// household figures against the band and live validation, automatic partition and rebalance as
// proposals, drafts with optimistic locking, publishing, versions, import and export.
import '../../styles/app.css';
import './grids.css';
import { bbox as turfBbox, buffer as turfBuffer } from '@turf/turf';
import type { Feature, FeatureCollection, Geometry, LineString, MultiPolygon, Polygon } from 'geojson';
import type { Band, BuildingMove, CommunityResponse, CommunitySummary, DraftGrid, DraftGridOut, Problem, Quality, RebalanceAdvice, Validation } from '../../../../core/grid-edit/contract.js';
import { DEFAULT_BAND, CUT_TOLERANCE_M } from '../../../../core/grid-edit/contract.js';
import { bandStatus, BAND_LABEL, buildingsCutByLines, indexBuildings, liveFigures, type BandStatus, type BuildingIndex, type LiveFigures } from '../../../../core/grid-edit/stats.js';
import { createSnapper, edgeFaces, sharedEdgeLines, toShapes, usedVertices, type LonLat, type Snapper } from '../../../../core/grid-edit/topology.js';
import { validateGrids } from '../../../../core/grid-edit/validate.js';
import { OSM_ATTRIBUTION } from '../../../../core/types.js';
import { ApiError, ownRequestHeaders } from '../../api/http.js';
import { rgbaToCss } from '../../map/color.js';
import type { GridEditorSurface, SurfaceMode } from '../../map/grid-editor.js';
import { labelPoint } from '../../map/geo.js';
import type { LabelDatum, LayerSpec, RGBA } from '../../map/map-view.js';
import { GridEditorView } from '../../map/maplibre/grid-editor-view.js';
import { handleAuthError } from '../../shell/auth.js';
import { confirmDialog } from '../../shell/dialog.js';
import { $, fmtInt, h, showError } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';
import { flash, mountHeader } from '../../shell/header.js';
import { initHooks, markReady } from '../../shell/hooks.js';
import { gridApi } from './api.js';
import { bandDialog, conflictDialog, deleteDialog, exportDialog, importDialog, publishDialog, versionsDialog, type CompareGrid, type CompareOverlay } from './dialogs.js';
import { History } from './history.js';
import { deleteGrid, drawGrid, gridsFromState, handlesOf, mergeGrids, moveHandle, nextGridName, rename, setLocked, splitGrids, stateFromGrids, type EditorState } from './model.js';

type Tool = 'select' | 'draw' | 'reshape' | 'split' | 'merge' | 'delete';

const TOOLS: { id: Tool; label: string; key: string; hint: string; surface: SurfaceMode }[] = [
  { id: 'select', label: '选择', key: 'V', hint: '点击网格查看；在列表中双击名称可改名。', surface: 'idle' },
  { id: 'draw', label: '绘制', key: 'D', hint: '逐点单击绘制新网格，单击起点或按 Enter 完成，Esc 取消。只保留社区内尚无网格的部分。', surface: 'polygon' },
  { id: 'reshape', label: '修改', key: 'R', hint: '拖动顶点（青色为共用顶点，两侧网格一起变）或边中点（插入新顶点）。', surface: 'handles' },
  { id: 'split', label: '分割', key: 'S', hint: '从网格外单击开始，逐点画线穿过网格到网格外，Enter 或单击末点完成。红色为会被切开的建筑。', surface: 'line' },
  { id: 'merge', label: '合并', key: 'M', hint: '依次单击两个相邻网格，将第二个并入第一个。', surface: 'idle' },
  { id: 'delete', label: '删除', key: 'X', hint: '单击要删除的网格：并入相邻网格或留作空隙。', surface: 'idle' },
];

const STATUS_COLOR: Record<BandStatus, RGBA> = { low: [59, 130, 246, 120], in: [34, 197, 94, 110], high: [249, 115, 22, 130] };
const CUT_COLOR: RGBA = [239, 68, 68, 235];

declare global {
  interface Window {
    /** For tests and the console: the draft grids as they would be saved. */
    __gcGridEditor?: { grids(): ReturnType<typeof gridsFromState> };
  }
}

const hooks = initHooks('grids');
const header = mountHeader('grids');

interface Loaded {
  code: string;
  data: CommunityResponse;
  band: Band;
  revision: number;
  idx: BuildingIndex;
  roads: LonLat[][];
  buildingRings: LonLat[][];
}

let view: GridEditorSurface | null = null;
let loaded: Loaded | null = null;
let history = new History<EditorState | null>(null);
let savedState: EditorState | null = null;
let tool: Tool = 'select';
let selected: string | null = null;
let mergeFirst: string | null = null;
let figures = new Map<string, LiveFigures>();
let validation: Validation | null = null;
let validationSource: 'live' | 'server' = 'live';
let activeProblem: Problem | null = null;
let preview: EditorState | null = null;
let drawingLine: LonLat[] | null = null;
let cutIdx: number[] = [];
let snapOn = true;
let snapper: Snapper | null = null;
/** What an overlay feature is: a proposal's grid (band-coloured), or a version / a comparison's grid. */
type OverlayDiff = 'added' | 'removed' | 'changed' | 'same' | 'version';
interface OverlayProps {
  key: string;
  name: string;
  households: number;
  status: BandStatus;
  diff: OverlayDiff;
  /** Second line of the map label (e.g. "256 户", "305→256 户", "取消"). */
  note: string;
}
/** A proposal, a version or a comparison drawn over the grids (whose fills are muted meanwhile). */
let overlay: { kind: 'proposal' | 'compare' | 'version'; fc: FeatureCollection<Polygon | MultiPolygon, OverlayProps>; moved?: number[] } | null = null;
let validateTimer: ReturnType<typeof setTimeout> | null = null;

const state = (): EditorState | null => preview ?? history.current;
const dirty = () => history.current !== savedState;

/** An endpoint of a loaded community answering 404: the server does not offer that action yet. */
function missing(e: unknown, what: string): string | null {
  return e instanceof ApiError && e.status === 404 ? `服务器暂不支持${what}（接口未启用）` : null;
}

/** zh-CN message: the grid editor's server messages are already zh-CN; else the shared table. */
function msg(e: unknown): string {
  if (e instanceof ApiError && /[\u4e00-\u9fff]/.test(e.message)) return e.message;
  return errorMessage(e);
}

function bboxOf(g: Geometry): [number, number, number, number] {
  return turfBbox(g) as [number, number, number, number];
}

function shortName(name: string): string {
  const parts = name.split(/[・·•]/).map((x) => x.trim()).filter(Boolean);
  return parts[parts.length - 1] ?? name;
}

function panelPadding() {
  const w = window.innerWidth;
  if (w < 900) return { top: 20, bottom: 20, left: 20, right: 20 };
  const l = document.querySelector<HTMLElement>('.ge-left')?.getBoundingClientRect().right ?? 300;
  const r = document.querySelector<HTMLElement>('.ge-right')?.getBoundingClientRect().left ?? w - 360;
  return { top: 30, bottom: 40, left: l + 16, right: w - r + 16 };
}

/** Fit a bbox into the part of the map between the side panels (plus `extra` pixels all round). */
function fitTo(bb: [number, number, number, number], extra = 0, animate = true) {
  if (!view) return;
  const p = panelPadding();
  view.flyTo({ bbox: bb, padding: { top: p.top + extra, bottom: p.bottom + extra, left: p.left + extra, right: p.right + extra } }, { animate });
}

// ---------------------------------------------------------------------------------------------
// Loading

async function loadCommunity(code: string): Promise<void> {
  const data = await gridApi.community(code);
  const band = data.band ?? DEFAULT_BAND;
  const idx = indexBuildings(
    data.buildings.features.map((f) => ({ id: f.properties.id, households: f.properties.households, residents: f.properties.residents, geometry: f.geometry })),
  );
  const roads = data.roads.features.map((f) => (f.geometry as LineString).coordinates.map((c) => [c[0]!, c[1]!] as LonLat));
  const buildingRings = data.buildings.features.flatMap((f) => (f.geometry.type === 'Polygon' ? [f.geometry.coordinates[0]!] : f.geometry.coordinates.map((p) => p[0]!)).map((r) => r.map((c) => [c[0]!, c[1]!] as LonLat)));
  loaded = { code, data, band, revision: data.revision, idx, roads, buildingRings };
  const s = stateFromGrids(data.grids);
  history = new History<EditorState | null>(s);
  savedState = s;
  selected = null;
  mergeFirst = null;
  overlay = null;
  activeProblem = null;
  preview = null;
  cutIdx = [];
  setLive(null);
  validation = null;
  $('#proposal').hidden = true;
  $('#compare').hidden = true;
  showBand(band, data.bandSource === 'district');
  ($('#band-edit') as HTMLButtonElement).hidden = !data.district?.bandEditable;
  renderStatus();
  const u = new URL(location.href);
  u.searchParams.set('community', code);
  history_replace(u);
  fitTo(bboxOf(data.community.geometry), 24, false);
  changed({ validateNow: true });
}

function history_replace(u: URL) {
  window.history.replaceState(null, '', `${u.pathname}${u.search}`);
}

function showBand(band: Band, fromDistrict: boolean) {
  $('#band').textContent = `${band.min}–${band.max}`;
  $('#band-source').textContent = fromDistrict ? '（本区设定）' : '（默认）';
  renderLegend(band);
}

/** 修改 户数区间: the district's band; the open draft is re-coloured and re-validated against it. */
async function editBand() {
  if (!loaded?.data.district) return;
  const district = loaded.data.district;
  const r = await bandDialog({
    district: district.name || district.code, band: loaded.band, isDefault: loaded.data.bandSource !== 'district',
    save: (band) => gridApi.setBand(district.code, band),
  });
  if (!r || !loaded) return;
  loaded.band = r.band;
  loaded.data.bandSource = r.bandSource;
  showBand(r.band, r.bandSource === 'district');
  clearOverlay();
  changed({ validateNow: true });
  flash(`户数区间已改为 ${r.band.min}–${r.band.max} 户`);
}

function renderLegend(band: Band) {
  const rows: [BandStatus, string][] = [
    ['low', `低于 ${band.min} 户`],
    ['in', `区间内 ${band.min}–${band.max} 户`],
    ['high', `高于 ${band.max} 户`],
  ];
  $('#legend').replaceChildren(
    ...rows.map(([s, label]) => h('div', { class: 'row', 'data-status': s }, h('span', { class: 'bar', style: `background:${rgbaToCss([...STATUS_COLOR[s].slice(0, 3), 230] as RGBA)}` }), label)),
    h('div', { class: 'row' }, h('span', { class: 'bar', style: `background:${rgbaToCss(CUT_COLOR)}` }), '被切开的建筑'),
    h('div', { class: 'note' }, '户数、人口为合成示意数据；建筑与道路 © OpenStreetMap contributors'),
  );
}

function renderStatus() {
  const el = $('#draft-status');
  if (!loaded) return;
  const d = loaded.data.draft;
  const parts: string[] = [];
  if (d) parts.push(`草稿：${d.savedBy} 于 ${new Date(d.savedAt).toLocaleString('zh-CN', { hour12: false })} 保存`);
  else parts.push('已发布的网格');
  if (dirty()) parts.push('有未保存的修改');
  parts.push(`修订 ${loaded.revision}`);
  el.textContent = parts.join(' · ');
  el.classList.toggle('draft', !!d || dirty());
  el.dataset.revision = String(loaded.revision);
  ($('#discard') as HTMLButtonElement).disabled = !d;
}

// ---------------------------------------------------------------------------------------------
// Every change: figures, snapping, validation, map and panels

function changed(opts: { validateNow?: boolean } = {}) {
  const s = history.current;
  if (!s || !loaded) return;
  snapper = null;
  figures = liveFigures(toShapes(s.topo), loaded.idx).grids;
  ($('#undo') as HTMLButtonElement).disabled = !history.canUndo;
  ($('#redo') as HTMLButtonElement).disabled = !history.canRedo;
  if (selected && !s.meta.has(selected)) selected = null;
  if (tool === 'reshape') view?.setHandles(handlesOf(s));
  renderStatus();
  renderTable();
  render();
  scheduleValidation(opts.validateNow ? 0 : 250);
}

function scheduleValidation(ms: number) {
  if (validateTimer) clearTimeout(validateTimer);
  validateTimer = setTimeout(runValidation, ms);
}

function runValidation() {
  const s = history.current;
  if (!s || !loaded) return;
  const t0 = performance.now();
  try {
    validation = validateGrids({
      grids: gridsFromState(s),
      community: loaded.data.community.geometry,
      parents: loaded.data.subdistrict.geometry ? [{ level: 'subdistrict', name: '街道', geometry: loaded.data.subdistrict.geometry }] : [],
      buildings: loaded.data.buildings.features.map((f) => ({ id: f.properties.id, name: f.properties.name, geometry: f.geometry, households: f.properties.households, residents: f.properties.residents })),
      band: loaded.band,
    });
    validationSource = 'live';
    // A highlighted problem stays highlighted only while it still exists.
    const was = activeProblem;
    activeProblem = was ? validation.problems.find((p) => p.code === was.code && p.message === was.message) ?? null : null;
    if (was && !activeProblem) render();
  } catch (e) {
    console.warn('[gc] live validation failed', e);
  }
  document.body.dataset.validatedMs = String(Math.round(performance.now() - t0));
  // Counts live validations, so a test can wait for the one after an edit.
  document.body.dataset.validations = String(Number(document.body.dataset.validations ?? 0) + 1);
  renderProblems();
}

function getSnapper(): Snapper | null {
  const s = state();
  if (!s || !loaded) return null;
  if (!snapper) {
    snapper = createSnapper({
      gridVertices: usedVertices(s.topo).map((v) => s.topo.vertices[v]!),
      gridEdges: sharedEdgeLines(s.topo),
      roads: loaded.roads,
      buildings: loaded.buildingRings,
    }, s.topo.proj);
  }
  return snapper;
}

function gridFc(s: EditorState): FeatureCollection<Polygon | MultiPolygon, { key: string; status: BandStatus; name: string }> {
  const features: Feature<Polygon | MultiPolygon, { key: string; status: BandStatus; name: string }>[] = [];
  for (const g of toShapes(s.topo)) {
    const f = figures.get(g.key);
    features.push({ type: 'Feature', geometry: g.geometry, properties: { key: g.key, name: s.meta.get(g.key)?.name ?? g.key, status: bandStatus(f?.households ?? 0, loaded!.band) } });
  }
  return { type: 'FeatureCollection', features };
}

function fcOf(geoms: (Polygon | MultiPolygon)[]): FeatureCollection<Polygon | MultiPolygon> {
  return { type: 'FeatureCollection', features: geoms.map((g) => ({ type: 'Feature', geometry: g, properties: {} })) };
}

function problemFc(p: Problem | null): FeatureCollection<Polygon | MultiPolygon> {
  if (!p?.geometry) return fcOf([]);
  const g = p.geometry;
  if (g.type === 'Polygon' || g.type === 'MultiPolygon') return fcOf([g]);
  try {
    const b = turfBuffer({ type: 'Feature', geometry: g, properties: {} }, 4, { units: 'meters' });
    return b ? fcOf([b.geometry as Polygon | MultiPolygon]) : fcOf([]);
  } catch {
    return fcOf([]);
  }
}

/** Outline of a building a rebalance moves to another grid. */
const MOVED_LINE: RGBA = [250, 204, 21, 255];
const DIFF_LINE: Record<'added' | 'removed' | 'changed', RGBA> = { added: [74, 222, 128, 255], removed: [248, 113, 113, 255], changed: [253, 224, 71, 255] };

/**
 * Labels of an overlay: each grid's short name and its note. Grids on the same ground (a grid
 * removed and one drawn in its place) share one label instead of printing over each other.
 */
function overlayLabels(fc: FeatureCollection<Polygon | MultiPolygon, OverlayProps>): LabelDatum[] {
  const out: LabelDatum[] = [];
  for (const f of fc.features) {
    const p = labelPoint(f.geometry);
    if (!p) continue;
    const text = `${shortName(f.properties.name)}\n${f.properties.note}`;
    const same = out.find((l) => Math.abs(l.position[0] - p[0]) < 2e-5 && Math.abs(l.position[1] - p[1]) < 2e-5);
    if (same) same.text = `${same.text}\n${text}`;
    else out.push({ position: p, text });
  }
  return out;
}

// Stable layer data between renders (the map re-uploads only what changed).
/** The buildings layer per community code (one entry: the community being edited). */
const buildingsByCommunity = new Map<string, FeatureCollection<Polygon | MultiPolygon>>();
let buildingsFc: FeatureCollection<Polygon | MultiPolygon> | null = null;
let communityFc: FeatureCollection<Polygon | MultiPolygon> | null = null;
let lastCut = '';
let cutFc: FeatureCollection<Polygon | MultiPolygon> = fcOf([]);

function render() {
  const s = state();
  if (!view || !s || !loaded) return;
  const cached = buildingsByCommunity.get(loaded.code);
  if (!buildingsFc || cached !== buildingsFc) {
    buildingsFc = cached ?? fcOf(loaded.data.buildings.features.map((f) => f.geometry));
    buildingsByCommunity.clear();
    buildingsByCommunity.set(loaded.code, buildingsFc);
    communityFc = fcOf([loaded.data.community.geometry]);
  }
  const cutKey = cutIdx.join(',');
  if (cutKey !== lastCut) {
    lastCut = cutKey;
    cutFc = fcOf(cutIdx.map((i) => loaded!.idx.buildings[i]!.geometry));
  }
  const grids = gridFc(s);
  // While a proposal, a version or a comparison is shown, the grids are outlines only and the labels
  // are the overlay's, so what is read on the map is the overlay.
  const labels: LabelDatum[] = overlay ? overlayLabels(overlay.fc) : grids.features.flatMap((f) => {
    const p = labelPoint(f.geometry);
    const fig = figures.get(f.properties.key);
    return p ? [{ position: p, text: `${shortName(f.properties.name)}\n${fmtInt(fig?.households ?? 0)} 户` }] : [];
  });
  const specs: LayerSpec[] = [
    { kind: 'polygons', id: 'buildings', data: buildingsFc, fillColor: [120, 140, 170, 70], lineColor: [150, 170, 200, 120], lineWidth: 0.6 },
    {
      kind: 'polygons',
      id: 'grids',
      data: grids,
      pickable: true,
      fillColor: overlay ? [0, 0, 0, 0] : (p: { status: BandStatus }) => STATUS_COLOR[p.status],
      lineColor: overlay ? [240, 246, 255, 110] : [240, 246, 255, 230],
      lineWidth: 1.6,
      idOf: (p: { key: string }) => p.key,
      highlightId: mergeFirst ?? selected,
      highlightColor: mergeFirst ? [250, 204, 21, 255] : [34, 211, 238, 255],
      colorKey: grids.features.map((f) => f.properties.status).join(''),
    },
    { kind: 'polygons', id: 'community', data: communityFc!, fillColor: [0, 0, 0, 0], lineColor: [56, 189, 248, 240], lineWidth: 2.6, dashed: true },
    { kind: 'polygons', id: 'cut-buildings', data: cutFc, fillColor: CUT_COLOR, lineColor: [255, 120, 120, 255], lineWidth: 2.5 },
  ];
  if (overlay) {
    const banded = overlay.kind !== 'compare';
    const fill = (p: OverlayProps): RGBA =>
      banded ? STATUS_COLOR[p.status] : p.diff === 'added' ? [34, 197, 94, 120] : p.diff === 'removed' ? [239, 68, 68, 110] : p.diff === 'changed' ? [250, 204, 21, 100] : [0, 0, 0, 0];
    const line = (p: OverlayProps): RGBA => (p.diff === 'same' || p.diff === 'version' ? [240, 246, 255, 230] : DIFF_LINE[p.diff]);
    specs.push({ kind: 'polygons', id: 'overlay', data: overlay.fc, fillColor: fill, lineColor: line, lineWidth: 2.4, dashed: true });
    if (overlay.moved?.length) specs.push({ kind: 'polygons', id: 'moved-buildings', data: fcOf(overlay.moved.map((i) => loaded!.idx.buildings[i]!.geometry)), fillColor: [250, 204, 21, 220], lineColor: MOVED_LINE, lineWidth: 2 });
  }
  specs.push({ kind: 'polygons', id: 'problem', data: problemFc(activeProblem), fillColor: [239, 68, 68, 110], lineColor: [255, 80, 80, 255], lineWidth: 3 });
  specs.push({ kind: 'labels', id: 'grid-labels', data: labels, size: 12.5, color: [255, 248, 230, 255], minZoom: 14 });
  view.setLayers(specs);
}

function renderTable() {
  const s = history.current;
  if (!s || !loaded) return;
  const rows = s.topo.faces.map((f) => {
    const m = s.meta.get(f.key)!;
    const fig = figures.get(f.key) ?? { households: 0, residents: 0, buildings: 0 };
    const st = bandStatus(fig.households, loaded!.band);
    const lock = h('input', { type: 'checkbox', checked: m.locked, title: '锁定：自动划分时保持不变', 'aria-label': `锁定 ${m.name}` });
    lock.addEventListener('click', (e) => e.stopPropagation());
    lock.addEventListener('change', () => commit(setLocked(history.current!, f.key, lock.checked)));
    const name = h('td', { title: m.name }, h('span', { class: 'chip', style: `background:${rgbaToCss([...STATUS_COLOR[st].slice(0, 3), 255] as RGBA)}` }), shortName(m.name), m.id == null ? h('span', { class: 'new' }, '新') : null);
    name.addEventListener('dblclick', () => {
      const n = prompt('网格名称', m.name);
      if (n && n.trim() && n.trim() !== m.name) commit(rename(history.current!, f.key, n));
    });
    const tr = h(
      'tr',
      { 'data-key': f.key, 'data-status': st, class: f.key === selected ? 'selected' : null, title: `${m.name}：${fig.households} 户（${BAND_LABEL[st]}）` },
      name,
      h('td', { class: `hh ${st}` }, fmtInt(fig.households)),
      h('td', { class: 'res' }, fmtInt(fig.residents)),
      h('td', { class: 'bld' }, fmtInt(fig.buildings)),
      h('td', {}, lock),
    );
    tr.addEventListener('click', () => {
      selected = f.key;
      const g = toShapes(s.topo).find((x) => x.key === f.key);
      if (g) fitTo(bboxOf(g.geometry), 60);
      renderTable();
      render();
    });
    return tr;
  });
  $('#grid-table tbody').replaceChildren(...rows);
  $('#grid-count').textContent = String(rows.length);
  hooks.gridCount = rows.length;
}

const PROBLEM_TONE = (p: Problem) => (p.code === 'out_of_band' ? 'warn' : 'bad');

function renderProblems() {
  const list = $('#problems');
  $('#validation-source').textContent = validationSource === 'server' ? '服务器校验' : '实时校验';
  const problems = validation?.problems ?? [];
  $('#problem-count').textContent = String(problems.length);
  if (!validation) {
    list.replaceChildren(h('li', { class: 'ok' }, '校验中…'));
    return;
  }
  if (problems.length === 0) {
    list.replaceChildren(h('li', { class: 'ok', 'data-code': 'ok' }, '✓ 没有发现问题，可以发布'));
    return;
  }
  list.replaceChildren(
    ...problems.map((p) => {
      const li = h('li', { class: `${PROBLEM_TONE(p)}${activeProblem === p ? ' active' : ''}`, 'data-code': p.code, 'data-keys': p.gridKeys.join(','), title: '点击在地图上定位' }, p.message);
      li.addEventListener('click', () => {
        activeProblem = activeProblem === p ? null : p;
        if (activeProblem && view) {
          const g = p.geometry ?? (p.gridKeys[0] ? toShapes(history.current!.topo).find((x) => x.key === p.gridKeys[0])?.geometry : null);
          if (g) fitTo(padBbox(bboxOf(g)), 60);
          if (p.gridKeys[0]) selected = p.gridKeys[0];
        }
        renderProblems();
        renderTable();
        render();
      });
      return li;
    }),
  );
}

function padBbox([a, b, c, d]: [number, number, number, number]): [number, number, number, number] {
  const pad = 0.0004;
  return [a - pad, b - pad, c + pad, d + pad];
}

// ---------------------------------------------------------------------------------------------
// Editing

function commit(next: EditorState) {
  // A proposal was made for the grids before this edit: accepting it later would undo the edit.
  if (overlay?.kind === 'proposal') {
    clearOverlay();
    flash('已编辑网格，方案已放弃');
  }
  preview = null;
  cutIdx = [];
  history.push(next);
  validationSource = 'live';
  changed();
}

function report(r: { ok: false; message: string }) {
  setLive(r.message, true);
  flash(r.message);
}

function setLive(text: string | null, bad = false) {
  const el = $('#live-line');
  el.hidden = !text;
  el.textContent = text ?? '';
  el.classList.toggle('bad', bad);
}

function setTool(t: Tool) {
  tool = t;
  const def = TOOLS.find((x) => x.id === t)!;
  document.body.dataset.tool = t;
  for (const b of document.querySelectorAll<HTMLButtonElement>('#tools button')) b.classList.toggle('active', b.dataset.tool === t);
  $('#tool-hint').textContent = def.hint;
  mergeFirst = null;
  cutIdx = [];
  drawingLine = null;
  preview = null;
  setLive(null);
  view?.setMode(def.surface);
  if (t === 'reshape' && history.current) view?.setHandles(handlesOf(history.current));
  render();
}

function onDrawing(coords: LonLat[] | null) {
  drawingLine = coords;
  if (!loaded) return;
  if (!coords || coords.length < 2) {
    cutIdx = [];
    setLive(null);
  } else {
    const line = tool === 'draw' ? [...coords, coords[0]!] : coords;
    cutIdx = buildingsCutByLines([line], loaded.idx, { minInsideM: CUT_TOLERANCE_M });
    setLive(cutIdx.length ? `将切开 ${cutIdx.length} 栋建筑（红色），网格边界不能穿过建筑` : '未切开建筑', cutIdx.length > 0);
  }
  render();
}

function onDrawn(coords: LonLat[], mode: 'line' | 'polygon') {
  const s = history.current;
  if (!s || !loaded) return;
  // The cut buildings stay red after the edit (the drawing itself is gone).
  if (mode === 'line') {
    const cut = buildingsCutByLines([coords], loaded.idx, { minInsideM: CUT_TOLERANCE_M });
    const r = splitGrids(s, coords, loaded.data.community.name);
    if (!r.ok) return report(r);
    commit(r.value.state);
    cutIdx = cut;
    const figs = [...r.value.split, ...r.value.created].map((k) => `${shortName(r.value.state.meta.get(k)!.name)} ${fmtInt(figures.get(k)?.households ?? 0)} 户`);
    selected = r.value.created[0] ?? null;
    setLive(`已分割：${figs.join('，')}${cutIdx.length ? `；切开 ${cutIdx.length} 栋建筑，请撤销后重画` : ''}`, cutIdx.length > 0);
    renderTable();
    render();
  } else {
    const r = drawGrid(s, coords, loaded.data.community.geometry, loaded.data.community.name);
    if (!r.ok) return report(r);
    commit(r.value.state);
    // Only the free part of the drawn ring is kept: the cut buildings are those cut by its boundaries
    // with other grids (not by the community's own boundary, which validation does not count either).
    const topo = r.value.state.topo;
    const lines = [...edgeFaces(topo)].filter(([, keys]) => keys.length > 1 && keys.includes(r.value.key))
      .map(([k]) => k.split(',').map((v) => topo.vertices[Number(v)]!));
    cutIdx = buildingsCutByLines(lines, loaded.idx, { minInsideM: CUT_TOLERANCE_M });
    selected = r.value.key;
    setLive(`已绘制 ${shortName(r.value.state.meta.get(r.value.key)!.name)}：${fmtInt(figures.get(r.value.key)?.households ?? 0)} 户${cutIdx.length ? `；边界切开 ${cutIdx.length} 栋建筑` : ''}`, cutIdx.length > 0);
    renderTable();
    render();
  }
}

function onHandleMove(id: string, p: LonLat) {
  const s = history.current;
  if (!s || !loaded) return;
  const r = moveHandle(s, id, p);
  if (!r.ok) {
    setLive(r.message, true);
    return;
  }
  preview = r.value;
  figures = liveFigures(toShapes(preview.topo), loaded.idx).grids;
  // Buildings the moved boundary now cuts.
  cutIdx = buildingsCutByLines(sharedEdgeLines(preview.topo), loaded.idx, { minInsideM: CUT_TOLERANCE_M });
  setLive(cutIdx.length ? `边界切开 ${cutIdx.length} 栋建筑` : '拖动中…', cutIdx.length > 0);
  renderTable();
  render();
}

function onHandleEnd(id: string, p: LonLat) {
  const s = history.current;
  preview = null;
  if (!s) return;
  const r = moveHandle(s, id, p);
  if (!r.ok) {
    report(r);
    changed();
    return;
  }
  const cut = cutIdx;
  commit(r.value);
  cutIdx = cut;
  setLive(cut.length ? `边界切开 ${cut.length} 栋建筑` : null, cut.length > 0);
  render();
}

function onGridClick(key: string | null) {
  const s = history.current;
  if (!s) return;
  if (tool === 'select' || tool === 'reshape') {
    selected = key;
    renderTable();
    render();
  } else if (tool === 'merge') {
    if (!key) return;
    if (!mergeFirst) {
      mergeFirst = key;
      setLive(`已选 ${shortName(s.meta.get(key)!.name)}，再单击一个相邻网格`);
      render();
      return;
    }
    if (key === mergeFirst) {
      mergeFirst = null;
      setLive(null);
      render();
      return;
    }
    const r = mergeGrids(s, mergeFirst, key);
    mergeFirst = null;
    if (!r.ok) return report(r);
    commit(r.value);
    setLive('已合并');
  } else if (tool === 'delete') {
    if (!key) return;
    const m = s.meta.get(key)!;
    void deleteDialog(s, key, m.name, figures.get(key)?.households ?? 0).then((choice) => {
      if (!choice) return;
      const r = deleteGrid(history.current!, key, choice.giveTo ?? undefined);
      if (!r.ok) return report(r);
      commit(r.value);
      setLive(choice.giveTo ? '已删除并入相邻网格' : '已删除，留下的空隙会在校验中列出');
    });
  }
}

function undo() {
  if (history.undo() === null) return;
  preview = null;
  view?.cancelDrawing();
  changed();
}
function redo() {
  if (history.redo() === null) return;
  preview = null;
  changed();
}

// ---------------------------------------------------------------------------------------------
// Server actions

async function save(): Promise<boolean> {
  if (!loaded || !history.current) return false;
  const s = history.current;
  try {
    const r = await gridApi.saveDraft(loaded.code, loaded.revision, gridsFromState(s));
    loaded.revision = r.revision;
    loaded.data.draft = { savedBy: '我', savedAt: new Date().toISOString() };
    savedState = s;
    validation = r.validation;
    validationSource = 'server';
    renderStatus();
    renderProblems();
    flash('草稿已保存');
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.code === 'revision_conflict') {
      if (await conflictDialog(msg(e))) await loadCommunity(loaded.code);
      return false;
    }
    if (await handleAuthError(e)) return false;
    flash(`保存失败：${msg(e)}`);
    return false;
  }
}

async function publish() {
  if (!loaded || !history.current) return;
  if (dirty() && !(await save())) return;
  const code = loaded.code;
  // Names of the grids as they were, for the report (a retired grid's successor, merged grids…).
  const names = new Map<number, string>(loaded.data.grids.flatMap((g) => (g.id != null ? [[g.id, g.name] as const] : [])));
  for (const m of history.current.meta.values()) if (m.id != null) names.set(m.id, m.name);
  await publishDialog({
    problems: validation?.problems ?? [],
    nameOf: (id) => names.get(id),
    submit: async (note) => {
      try {
        return await gridApi.publish(code, loaded!.revision, note || undefined);
      } catch (e) {
        if (e instanceof ApiError && e.code === 'revision_conflict') {
          if (await conflictDialog(msg(e))) await loadCommunity(code);
          return null;
        }
        throw new Error(msg(e));
      }
    },
  }).then(async (done) => {
    if (done) {
      await loadCommunity(code);
      await refreshCommunities(code);
    }
  });
}

const BAND_WORD: Record<BandStatus, string> = { low: '偏少', in: '区间内', high: '偏多' };

/** Close the proposal or comparison panel and its map overlay. */
function clearOverlay() {
  overlay = null;
  $('#proposal').hidden = true;
  $('#compare').hidden = true;
  render();
}

/**
 * A partition or rebalance proposal: drawn band-coloured over the (muted) grids with its own labels,
 * and in the panel: the quality figures, each proposed grid's households now → proposed (which are
 * out of the band and why), the buildings moved between grids, accept / reject.
 */
function showProposal(kind: 'partition' | 'rebalance', proposed: DraftGridOut[], quality: Quality, moves: BuildingMove[] = [], advice: RebalanceAdvice[] = []) {
  if (!loaded || !history.current) return;
  const s = history.current;
  const band = loaded.band;
  const before = gridsFromState(s);
  const beforeKeys = new Set(before.map((g) => g.key));
  const lockedKeys = new Set(before.filter((g) => g.locked).map((g) => g.key));
  // Grids new in the proposal continue the community's own series of names (…第06网格), as a split does.
  const names = [...s.meta.values()].map((m) => m.name);
  const grids = proposed.map((g) => {
    if (beforeKeys.has(g.key) || g.id != null) return g;
    const name = nextGridName(names, loaded!.data.community.name);
    names.push(name);
    return { ...g, name };
  });
  const afterKeys = new Set(grids.map((g) => g.key));
  const nameOf = new Map<string, string>([...before.map((g) => [g.key, g.name] as const), ...grids.map((g) => [g.key, g.name] as const)]);
  const hhBefore = (key: string) => (beforeKeys.has(key) ? figures.get(key)?.households ?? 0 : null);
  const beforeGeom = new Map(before.map((g) => [g.key, JSON.stringify(g.geometry)]));
  const diffOf = (g: DraftGridOut): OverlayDiff => {
    if (!beforeKeys.has(g.key)) return 'added';
    if (lockedKeys.has(g.key) || beforeGeom.get(g.key) === JSON.stringify(g.geometry)) return 'same';
    return kind === 'rebalance' && hhBefore(g.key) === g.households ? 'same' : 'changed';
  };
  const idIndex = new Map(loaded.idx.buildings.map((b, i) => [String(b.id), i]));
  const fc: FeatureCollection<Polygon | MultiPolygon, OverlayProps> = {
    type: 'FeatureCollection',
    features: grids.map((g) => {
      const was = hhBefore(g.key);
      const diff = diffOf(g);
      const note = `${diff === 'changed' && was !== null && was !== g.households ? `${fmtInt(was)}→` : ''}${fmtInt(g.households)} 户${lockedKeys.has(g.key) ? '（锁定）' : ''}`;
      return { type: 'Feature', geometry: g.geometry, properties: { key: g.key, name: g.name, households: g.households, status: bandStatus(g.households, band), diff, note } };
    }),
  };
  overlay = { kind: 'proposal', fc, moved: moves.map((m) => idIndex.get(String(m.buildingId))).filter((i): i is number => i !== undefined) };
  const removed = before.filter((g) => !afterKeys.has(g.key));
  const added = grids.filter((g) => !beforeKeys.has(g.key)).length;
  const outOfBand = grids.filter((g) => bandStatus(g.households, band) !== 'in');

  const rows = grids.map((g) => {
    const st = bandStatus(g.households, band);
    const was = hhBefore(g.key);
    return h(
      'tr',
      { 'data-key': g.key, 'data-name': shortName(g.name), 'data-status': st, 'data-diff': diffOf(g), title: `${g.name}：${fmtInt(g.households)} 户（${BAND_WORD[st]}）` },
      h('td', {}, h('span', { class: 'chip', style: `background:${rgbaToCss([...STATUS_COLOR[st].slice(0, 3), 255] as RGBA)}` }), shortName(g.name),
        lockedKeys.has(g.key) ? h('span', { class: 'tag' }, '锁定') : null, !beforeKeys.has(g.key) ? h('span', { class: 'new' }, '新') : null),
      h('td', { class: 'was' }, was === null ? '—' : fmtInt(was)),
      h('td', { class: `hh ${st}` }, fmtInt(g.households)),
      h('td', { class: `st ${st}` }, BAND_WORD[st]),
    );
  });
  const why = (g: DraftGridOut) => {
    const st = bandStatus(g.households, band);
    const single = st === 'high' && g.buildings === 1 ? '，仅 1 栋楼，无法再分' : '';
    return `${shortName(g.name)} ${fmtInt(g.households)} 户（${BAND_WORD[st]}${single}）`;
  };
  const buildingName = (id: number | string) => {
    const i = idIndex.get(String(id));
    const n = i === undefined ? null : loaded!.data.buildings.features[i]?.properties.name;
    return n ? `${n}（楼栋 ${id}）` : `楼栋 ${id}`;
  };
  const panel = $('#proposal');
  const accept = h('button', { type: 'button', class: 'gc-btn primary', id: 'proposal-accept', disabled: kind === 'rebalance' && moves.length === 0 }, '接受方案');
  const reject = h('button', { type: 'button', class: 'gc-btn ghost', id: 'proposal-reject' }, '放弃');
  panel.dataset.kind = kind;
  panel.replaceChildren(
    h(
      'section',
      { class: 'gc-section ge-proposal-body gc-scroll' },
      h('h3', {}, kind === 'partition' ? '自动划分方案' : '重新平衡方案', h('span', { class: 'badge' }, '合成数据')),
      h(
        'dl',
        { id: 'proposal-quality' },
        h('dt', {}, '网格数'), h('dd', { 'data-q': 'grids' }, `${quality.grids}（现 ${before.length}，新增 ${added}，取消 ${removed.length}）`),
        h('dt', {}, '户数'), h('dd', { 'data-q': 'households' }, `${fmtInt(quality.householdsMin)}–${fmtInt(quality.householdsMax)} 户，平均 ${fmtInt(quality.householdsMean)}，标准差 ${quality.householdsStd.toFixed(1)}`),
        h('dt', {}, '在区间内'), h('dd', { 'data-q': 'inBand' }, `${quality.inBand} / ${quality.grids}（${band.min}–${band.max} 户）`),
        h('dt', {}, '紧凑度'), h('dd', { 'data-q': 'compactness' }, `Polsby-Popper 平均 ${quality.polsbyPopperMean.toFixed(2)}，最低 ${quality.polsbyPopperMin.toFixed(2)}`),
        h('dt', {}, '调整楼栋'), h('dd', { 'data-q': 'buildingsMoved' }, `${fmtInt(quality.buildingsMoved)} 栋`),
        h('dt', {}, '用时'), h('dd', {}, `${fmtInt(quality.ms)} ms`),
      ),
      kind === 'rebalance' && moves.length === 0
        ? h('div', { class: 'gc-callout', id: 'proposal-no-moves' }, advice.length
          ? '只移动楼栋无法再改善户数，原因见下方建议。'
          : '没有找到能改善户数的楼栋调整（相邻网格之间没有可整栋移动的楼栋）。可尝试自动划分，或手动修改边界。')
        : null,
      advice.length ? adviceList(advice, nameOf) : null,
      outOfBand.length
        ? h('div', { class: 'gc-callout warn', id: 'proposal-out-of-band', 'data-count': outOfBand.length }, `${outOfBand.length} 个网格不在区间内：${outOfBand.map(why).join('；')}`)
        : h('div', { class: 'gc-callout ok', id: 'proposal-out-of-band', 'data-count': 0 }, `✓ 全部 ${grids.length} 个网格都在 ${band.min}–${band.max} 户区间内`),
      h('table', { class: 'ge-table', id: 'proposal-grids' },
        h('thead', {}, h('tr', {}, h('th', {}, '网格'), h('th', { title: '现在的户数' }, '现'), h('th', { title: '方案的户数' }, '方案'), h('th', {}, ''))),
        h('tbody', {}, ...rows)),
      removed.length ? h('p', { class: 'ge-hint', id: 'proposal-removed' }, `取消：${removed.map((g) => shortName(g.name)).join('、')}`) : null,
      moves.length
        ? h('div', { id: 'proposal-moves' },
            h('h4', {}, `调整的楼栋（${moves.length} 栋，${fmtInt(moves.reduce((n, m) => n + m.households, 0))} 户）`),
            h('ul', {}, ...moves.slice(0, 100).map((m) => h('li', { 'data-building': String(m.buildingId) },
              `${buildingName(m.buildingId)}：${fmtInt(m.households)} 户，${shortName(nameOf.get(m.fromKey) ?? m.fromKey)} → ${shortName(nameOf.get(m.toKey) ?? m.toKey)}`))),
            moves.length > 100 ? h('p', { class: 'ge-hint' }, `另有 ${moves.length - 100} 栋未列出`) : null)
        : null,
      h('p', { class: 'ge-hint' }, `地图：虚线为方案网格，颜色为户数区间（蓝偏少、绿区间内、橙偏多）${moves.length ? '，黄色为调整的楼栋' : ''}。接受后可继续编辑，或撤销（Ctrl+Z）。`),
    ),
    h('div', { class: 'ge-proposal-foot' }, accept, reject),
  );
  $('#compare').hidden = true;
  panel.hidden = false;
  accept.addEventListener('click', () => {
    clearOverlay();
    const next = stateFromGrids(grids.map((g) => ({ ...g, geometry: g.geometry })));
    commit({ topo: next.topo, meta: next.meta });
    flash('已采用方案，可撤销');
  });
  reject.addEventListener('click', clearOverlay);
  render();
}

/** 自动划分 of the unlocked grids; `only` re-partitions just those grids (the rest held as they are). */
async function runPartition(only?: readonly string[]) {
  if (!loaded || !history.current) return;
  const grids = gridsFromState(history.current);
  const lockedKeys = grids.filter((g) => g.locked || (only !== undefined && !only.includes(g.key))).map((g) => g.key);
  const btn = $('#partition') as HTMLButtonElement;
  btn.disabled = true;
  try {
    const r = await gridApi.partition(loaded.code, { grids, lockedKeys, band: loaded.band, seed: 1 });
    // Grids held only for this run keep their own lock state when the proposal is accepted.
    const locked = new Map(grids.map((g) => [g.key, !!g.locked]));
    showProposal('partition', r.grids.map((g) => ({ ...g, locked: locked.get(g.key) ?? false })), r.quality);
  } catch (e) {
    flash(missing(e, '自动划分') ?? `自动划分失败：${msg(e)}`);
  } finally {
    btn.disabled = false;
  }
}

/**
 * What moving buildings cannot fix, each with what to do: merge or split (re-partition just those
 * grids, the others held), or a building over the maximum (nothing a line can do).
 */
function adviceList(advice: readonly RebalanceAdvice[], nameOf: ReadonlyMap<string, string>): HTMLElement {
  const name = (k: string) => shortName(nameOf.get(k) ?? k);
  const band = loaded!.band;
  const items = advice.map((a) => {
    const cluster = a.cluster ? `这一片 ${a.cluster.keys.map(name).join('、')} 共 ${fmtInt(a.cluster.households)} 户，${a.cluster.grids} 个网格，宜为 ${a.cluster.need} 个` : '';
    const text = a.kind === 'merge'
      ? `建议合并 ${a.keys.map(name).join(' 与 ')}（合并后 ${fmtInt(a.households)} 户）。${cluster}。`
      : a.kind === 'split'
        ? `建议拆分 ${name(a.keys[0]!)}（${fmtInt(a.households)} 户）。${cluster}。`
        : `${name(a.keys[0]!)} 内有一栋楼 ${fmtInt(a.households)} 户（楼栋 ${a.buildingId}），超过上限 ${band.max} 户；楼栋不可拆分，该网格无法进入区间。`;
    const act = a.kind === 'building_over_max' ? null
      : h('button', { type: 'button', class: 'gc-btn small', 'data-advice-keys': a.keys.join(','), title: '只对这几个网格自动划分，其余网格保持不变' }, a.kind === 'merge' ? '合并重划' : '拆分重划');
    act?.addEventListener('click', () => void runPartition(a.keys));
    return h('li', { 'data-advice': a.kind, 'data-keys': a.keys.join(',') }, h('span', {}, text), act);
  });
  return h('div', { id: 'proposal-advice' }, h('h4', {}, '建议'), h('ul', { class: 'ge-advice' }, ...items));
}

async function runRebalance() {
  if (!loaded || !history.current) return;
  const btn = $('#rebalance') as HTMLButtonElement;
  btn.disabled = true;
  try {
    const r = await gridApi.rebalance(loaded.code, gridsFromState(history.current), loaded.band);
    showProposal('rebalance', r.grids, r.quality, r.moves, r.advice);
  } catch (e) {
    flash(missing(e, '重新平衡') ?? `重新平衡失败：${msg(e)}`);
  } finally {
    btn.disabled = false;
  }
}

const DIFF_WORD: Record<CompareGrid['diff'], string> = { added: '新增', removed: '取消', changed: '改动', version: '' };

/**
 * A version (its grids band-coloured) or a comparison of two (added green, removed red, changed
 * yellow) over the muted grids, with its own labels; the panel beside the map lists the grids.
 */
function showCompare(c: CompareOverlay | null) {
  if (!c || !loaded) return clearOverlay();
  const band = loaded.band;
  const note = (g: CompareGrid) =>
    g.diff === 'removed' ? '取消'
      : g.diff === 'added' ? `新增 · ${fmtInt(g.households)} 户`
        : g.diff === 'changed' ? `${g.householdsBefore !== undefined && g.householdsBefore !== g.households ? `${fmtInt(g.householdsBefore)}→` : ''}${fmtInt(g.households)} 户`
          : `${fmtInt(g.households)} 户`;
  // A removed grid is drawn last (on top): its ground usually went to a changed or added grid.
  const order: Record<CompareGrid['diff'], number> = { version: 0, changed: 1, added: 2, removed: 3 };
  overlay = {
    kind: c.kind,
    fc: {
      type: 'FeatureCollection',
      features: [...c.grids].sort((a, b) => order[a.diff] - order[b.diff]).map((g) => ({
        type: 'Feature',
        geometry: g.geometry,
        properties: { key: String(g.id), name: g.name, households: g.households, status: bandStatus(g.households, band), diff: g.diff, note: note(g) },
      })),
    },
  };
  const panel = $('#compare');
  panel.dataset.kind = c.kind;
  const back = h('button', { type: 'button', class: 'gc-btn', id: 'compare-versions' }, '版本列表');
  const clear = h('button', { type: 'button', class: 'gc-btn ghost', id: 'compare-clear' }, c.kind === 'compare' ? '清除对比' : '关闭');
  back.addEventListener('click', openVersions);
  clear.addEventListener('click', clearOverlay);
  const swatch = (rgb: RGBA, label: string) => h('span', {}, h('span', { class: 'bar', style: `background:${rgbaToCss(rgb)}` }), label);
  panel.replaceChildren(
    h(
      'section',
      { class: 'gc-section ge-proposal-body gc-scroll' },
      h('h3', {}, c.title, h('span', { class: 'badge' }, '户数为合成数据')),
      h('p', { class: 'ge-compare-summary', id: 'compare-summary' }, c.summary),
      c.kind === 'compare'
        ? h('div', { class: 'ge-compare-legend' }, swatch(DIFF_LINE.added, '新增'), swatch(DIFF_LINE.removed, '取消'), swatch(DIFF_LINE.changed, '改动'))
        : null,
      c.grids.length
        ? h('ul', { class: 'ge-compare-list', id: 'compare-grids' }, ...c.grids.map((g) => h('li', { 'data-diff': g.diff, 'data-id': String(g.id) },
            c.kind === 'compare' ? h('b', { class: `d-${g.diff}` }, DIFF_WORD[g.diff]) : null, ` ${shortName(g.name)}：${note(g).replace(/^(新增|取消) · /, '')}`)))
        : h('p', { class: 'ge-hint' }, '两个版本的网格相同。'),
      h('p', { class: 'ge-hint' }, c.kind === 'compare' ? '地图：虚线为两个版本中不同的网格；当前网格只显示轮廓。' : '地图：虚线为该版本的网格，颜色为户数区间；当前网格只显示轮廓。'),
    ),
    h('div', { class: 'ge-proposal-foot' }, back, clear),
  );
  $('#proposal').hidden = true;
  panel.hidden = false;
  if (c.grids.length && view) {
    const bb = turfBbox({ type: 'FeatureCollection', features: overlay.fc.features }) as [number, number, number, number];
    fitTo(padBbox(bb), 40);
  }
  render();
}

function openVersions() {
  if (!loaded) return;
  versionsDialog({
    versions: loaded.data.versions,
    onShow: showCompare,
    rollback: async (id) => {
      try {
        await gridApi.rollback(id, loaded!.revision);
      } catch (e) {
        if (e instanceof ApiError && e.code === 'revision_conflict') {
          if (await conflictDialog(msg(e))) await loadCommunity(loaded!.code);
          return;
        }
        throw new Error(msg(e));
      }
      await loadCommunity(loaded!.code);
      await refreshCommunities(loaded!.code);
      flash(`已将版本 #${id} 载入草稿，发布后生效`);
    },
  });
}

async function refreshCommunities(select?: string): Promise<CommunitySummary[]> {
  const list = await gridApi.communities();
  const sel = $('#community') as HTMLSelectElement;
  sel.replaceChildren(
    ...list.map((c) => h('option', { value: c.code, selected: c.code === select }, `${c.name}（${c.grids} 格 · ${fmtInt(c.households)} 户${c.draft ? ' · 草稿' : ''}）`)),
  );
  return list;
}

// ---------------------------------------------------------------------------------------------
// Page

function mountTools() {
  $('#tools').replaceChildren(
    ...TOOLS.map((t) => {
      const b = h('button', { type: 'button', class: 'gc-btn small', 'data-tool': t.id, title: `${t.label}（${t.key}）：${t.hint}` }, t.label, h('kbd', {}, t.key));
      b.addEventListener('click', () => setTool(t.id));
      return b;
    }),
  );
  $('#undo').addEventListener('click', undo);
  $('#redo').addEventListener('click', redo);
  const snap = $('#snap') as HTMLInputElement;
  snap.addEventListener('change', () => {
    snapOn = snap.checked;
    applySnap();
  });
  window.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement | null;
    // Typing in a field is not a shortcut (a focused checkbox or button does not count).
    const typing = target instanceof HTMLInputElement ? !['checkbox', 'radio', 'button', 'submit', 'range', 'color'].includes(target.type) : false;
    if (target && (typing || /^(TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable)) return;
    if (document.querySelector('dialog[open]')) return;
    const k = e.key.toLowerCase();
    if ((e.ctrlKey || e.metaKey) && k === 'z' && !e.shiftKey) { e.preventDefault(); undo(); return; }
    if ((e.ctrlKey || e.metaKey) && (k === 'y' || (k === 'z' && e.shiftKey))) { e.preventDefault(); redo(); return; }
    if ((e.ctrlKey || e.metaKey) && k === 's') { e.preventDefault(); void save(); return; }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (k === 'escape') {
      if (drawingLine) return; // terra-draw cancels the line itself
      mergeFirst = null;
      activeProblem = null;
      setTool('select');
      return;
    }
    if (k === 'n') {
      snap.checked = !snap.checked;
      snapOn = snap.checked;
      applySnap();
      flash(snapOn ? '吸附已开启' : '吸附已关闭');
      return;
    }
    const t = TOOLS.find((x) => x.key.toLowerCase() === k) ?? (k === 'delete' ? TOOLS.find((x) => x.id === 'delete') : undefined);
    if (t) setTool(t.id);
  });
}

function applySnap() {
  view?.setSnap(snapOn ? (p, mpp) => getSnapper()?.snap(p, 10 * mpp)?.point ?? null : null);
}

async function main() {
  mountTools();
  const account = await header.account;
  if (!account) throw new ApiError(401, 'unauthorized', 'not signed in');
  let communities: CommunitySummary[];
  try {
    communities = await refreshCommunities();
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 403)) {
      showError(e.status === 403 ? '当前账号无网格编辑权限（需要分析员角色）。' : '网格编辑服务尚未启用（/api/grid-editor 不可用）。');
      return;
    }
    throw e;
  }
  if (communities.length === 0) {
    showError('辖区内没有可编辑的社区。');
    return;
  }
  const wanted = new URLSearchParams(location.search).get('community');
  const first = communities.find((c) => c.code === wanted) ?? communities[0]!;
  ($('#community') as HTMLSelectElement).value = first.code;
  const data = await gridApi.community(first.code);
  const bb = bboxOf(data.community.geometry);
  view = new GridEditorView({
    container: $('#map'),
    bbox: bb,
    tilesUrl: '/tiles/base/{z}/{x}/{y}.pbf',
    attribution: `${data.attribution || OSM_ATTRIBUTION} · 网格与户数为合成示意数据`,
    padding: panelPadding(),
    requestHeaders: ownRequestHeaders,
  });
  await view.ready();
  hooks.project = (lon, lat) => {
    const p = view!.project([lon, lat]);
    return [p.x, p.y];
  };
  // For tests and the console: the draft grids as they would be saved.
  window.__gcGridEditor = { grids: () => (history.current ? gridsFromState(history.current) : []) };
  view.onDrawing(onDrawing);
  view.onDrawn(onDrawn);
  view.onHandleDrag({ move: onHandleMove, end: onHandleEnd, cancel: () => { preview = null; changed(); } });
  view.onClick((e) => {
    const hit = e.hits.find((x) => x.layerId === 'grids');
    onGridClick(hit ? String(hit.id) : null);
  });
  applySnap();
  await loadCommunity(first.code);
  setTool('select');

  ($('#community') as HTMLSelectElement).addEventListener('change', async (e) => {
    const code = (e.target as HTMLSelectElement).value;
    if (dirty() && !confirm('当前社区有未保存的修改，切换后将丢失。继续？')) {
      ($('#community') as HTMLSelectElement).value = loaded!.code;
      return;
    }
    await loadCommunity(code).catch((err) => flash(msg(err)));
  });
  $('#save').addEventListener('click', () => void save());
  $('#publish').addEventListener('click', () => void publish());
  $('#partition').addEventListener('click', () => void runPartition());
  $('#rebalance').addEventListener('click', () => void runRebalance());
  $('#band-edit').addEventListener('click', () => void editBand());
  $('#versions').addEventListener('click', openVersions);
  $('#import').addEventListener('click', () => {
    if (!loaded) return;
    const code = loaded.code;
    void importDialog(async (crs, file) => {
      try {
        const r = await gridApi.importFile(code, crs, file);
        await loadCommunity(code);
        validation = r.validation;
        validationSource = 'server';
        renderProblems();
        flash(`已导入 ${r.grids} 个网格（草稿）`);
      } catch (e) {
        throw new Error(missing(e, '导入') ?? msg(e));
      }
    });
  });
  $('#export').addEventListener('click', () => {
    if (!loaded) return;
    exportDialog({ geojsonUrl: gridApi.exportUrl(loaded.code, 'geojson'), shpUrl: gridApi.exportUrl(loaded.code, 'shp'), community: loaded.data.community.name, draft: !!loaded.data.draft, dirty: dirty() });
  });
  $('#discard').addEventListener('click', async () => {
    if (!loaded || !(await confirmDialog('放弃草稿', '放弃已保存的草稿，回到已发布的网格？', { confirmLabel: '放弃草稿', danger: true }))) return;
    try {
      await gridApi.discardDraft(loaded.code, loaded.revision);
      await loadCommunity(loaded.code);
      flash('草稿已放弃');
    } catch (e) {
      flash(msg(e));
    }
  });
  window.addEventListener('beforeunload', (e) => {
    if (dirty()) e.preventDefault();
  });

  await view.rendered();
  markReady(hooks);
}

main().catch(async (e) => {
  if (await handleAuthError(e)) return;
  console.error(e);
  showError(e instanceof ApiError ? `数据加载失败：${msg(e)}` : `页面初始化失败：${(e as Error).message}`);
});

export type { DraftGrid };
