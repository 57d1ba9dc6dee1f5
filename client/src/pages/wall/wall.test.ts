// Pure parts of the wall: URL parameters, layouts, metric classes, the heat raster, the case columns.
import { describe, expect, it } from 'vitest';
import { binInto, blur, gaussianKernel, heatGridFor, heatLut, HeatRenderer } from '../../../../core/wall-prep.js';
import { countBreaks, coveragePercent, coverageTone, METRIC_DEFS, weakestCoverageGrid } from './metrics.js';
import { DEFAULT_TOUR, parseParams, pickLayout, uiScale } from './params.js';
import { PointStore } from './points.js';
import type { GridMetric } from '../../../../core/wall.js';

const BBOX: [number, number, number, number] = [121.48, 31.22, 121.52, 31.26];

describe('wall URL parameters', () => {
  it('parses layout, view, metric, window, tour and timings, with safe defaults', () => {
    const p = parseParams(new URLSearchParams('layout=ultrawide&view=grid:12&metric=party&window=7d&tour=district,DEMO001,hotspots,grid:3&dwell=8&orbit=0&replay=2025-03-09&speed=1200&kiosk=abc'));
    expect(p).toMatchObject({
      layout: 'ultrawide', view: { kind: 'grid', id: 12 }, metric: 'party', window: '7d', dwell: 8, orbit: false, replay: '2025-03-09', speed: 1200,
      tour: [{ kind: 'district' }, { kind: 'division', code: 'DEMO001' }, { kind: 'hotspots' }, { kind: 'grid', id: 3 }],
    });
    const d = parseParams(new URLSearchParams('metric=coverage15&window=2h&layout=tall&dwell=-4&view=<script>&replay=soon'));
    expect(d).toMatchObject({ layout: 'auto', metric: 'open', window: '24h', dwell: 1, view: { kind: 'district' }, replay: null, tour: DEFAULT_TOUR });
    expect(parseParams(new URLSearchParams('tour=off')).tour).toEqual([]);
    expect(parseParams(new URLSearchParams('metric=coverage')).metric).toBe('coverage');
  });

  it('picks the layout and the UI scale from the screen', () => {
    expect(pickLayout('auto', 1920, 1080)).toBe('standard');
    expect(pickLayout('auto', 3840, 2160)).toBe('standard');
    expect(pickLayout('auto', 5760, 1080)).toBe('ultrawide');
    expect(pickLayout('standard', 5760, 1080)).toBe('standard');
    expect(uiScale(1920, 1080)).toBe(1);
    expect(uiScale(3840, 2160)).toBe(2);
    expect(uiScale(5760, 1080)).toBe(1);
    expect(uiScale(800, 600)).toBe(0.6);
    expect(uiScale(1920, 1080, 1.5)).toBe(1.5);
  });
});

const grid = (id: number, over: Partial<GridMetric> = {}): GridMetric => ({
  gridId: id, code: `G${id}`, name: `第${id}网格`, communityCode: 'C', households: 200, open: 0, overdue: 0, recent: 0, per1000: 0,
  partyBranch: true, partyMembers: 10, buildingGroups: 1, memberHouseholds: 2, staffingComplete: true, staffRoles: ['community_worker', 'grid_worker', 'property_manager'], ...over,
});

describe('wall metrics', () => {
  it('keeps zero apart and breaks the rest at quantiles', () => {
    expect(countBreaks([0, 0, 0])).toEqual([]);
    expect(countBreaks([0, 1, 1, 2, 3, 5, 8, 13])).toEqual([1, 3, 8]);
  });

  it('classes grids with a legend that names the metric and its unit', () => {
    const grids = [grid(1, { open: 0 }), grid(2, { open: 1 }), grid(3, { open: 4 }), grid(4, { open: 9 })];
    const c = METRIC_DEFS.open.classes(grids);
    expect(c.classes.map((x) => x.label)).toEqual(['无', '1–3 件', '4–8 件', '≥ 9 件']);
    expect(grids.map(c.classOf)).toEqual([0, 1, 2, 3]);
    expect(METRIC_DEFS.open.unit).toBe('件');
    const party = METRIC_DEFS.party.classes(grids);
    expect([grid(5, { partyBranch: false }), grid(6, { memberHouseholds: 0 }), grid(7), grid(8, { memberHouseholds: 6 })].map(party.classOf)).toEqual([0, 1, 2, 3]);
    const staff = METRIC_DEFS.staffing.classes(grids);
    expect([grid(9, { staffingComplete: false, staffRoles: ['grid_worker'] }), grid(10, { staffingComplete: false, staffRoles: ['grid_worker', 'property_manager'] }), grid(11)].map(staff.classOf)).toEqual([0, 1, 2]);
  });
});

describe('15-minute life circle on the wall', () => {
  it('colours grids by their coverage score in fixed classes, uncomputed apart', () => {
    const grids = [grid(1, { serviceCoverage: null }), grid(2, { serviceCoverage: 0.12 }), grid(3, { serviceCoverage: 0.3 }), grid(4, { serviceCoverage: 0.55 }), grid(5, { serviceCoverage: 0.7 }), grid(6)];
    const c = METRIC_DEFS.coverage.classes(grids);
    expect(c.classes.map((x) => x.label)).toEqual(['未计算或无住户', '< 30%', '30–50%', '50–70%', '≥ 70%']);
    expect(grids.map(c.classOf)).toEqual([0, 1, 2, 3, 4, 0]);
    expect(new Set(c.classes.map((x) => x.color.join())).size).toBe(5);
    expect(METRIC_DEFS.coverage.unit).toBe('%');
    expect([coveragePercent({ serviceCoverage: 0.436 }), coveragePercent({ serviceCoverage: null }), coveragePercent({})]).toEqual([44, null, null]);
  });

  it('names the weakest grid with households and grades the KPI', () => {
    const grids = [grid(1, { serviceCoverage: 0.2, households: 0 }), grid(2, { serviceCoverage: 0.35 }), grid(3, { serviceCoverage: 0.25 }), grid(4, { serviceCoverage: null })];
    expect(weakestCoverageGrid(grids)?.gridId).toBe(3);
    expect(weakestCoverageGrid([grid(5)])).toBeNull();
    expect([coverageTone(0.8), coverageTone(0.5), coverageTone(0.1), coverageTone(null)]).toEqual(['good', '', 'warn', '']);
  });
});

describe('heat raster', () => {
  it('covers the bbox with square cells', () => {
    const g = heatGridFor(BBOX, 256, 0);
    expect(Math.max(g.width, g.height)).toBe(256);
    expect(g.bbox[0]).toBe(BBOX[0]);
    expect(g.bbox[2]).toBeCloseTo(BBOX[2], 3);
  });

  it('bins, blurs (mass preserved away from edges) and colours', () => {
    const g = heatGridFor(BBOX, 128, 0);
    const counts = new Float32Array(g.width * g.height);
    const n = binInto(g, { n: 3, lon: [121.5, 121.5, 130], lat: [31.24, 31.24, 31.24] }, counts);
    expect(n).toBe(2);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(2);
    const field = new Float32Array(counts.length);
    blur(counts, field, new Float32Array(counts.length), g.width, g.height, gaussianKernel(2));
    expect(field.reduce((a, b) => a + b, 0)).toBeCloseTo(2, 3);
    const lut = heatLut();
    expect(lut[3]).toBe(0); // transparent at zero
    expect(lut[255 * 4 + 3]).toBeGreaterThan(200);
    const r = new HeatRenderer(g, { sigmaM: 60 });
    const out = r.render({ n: 1, lon: [121.5], lat: [31.24] });
    expect(out.counted).toBe(1);
    let opaque = 0;
    for (let i = 3; i < r.rgba.length; i += 4) if (r.rgba[i]! > 0) opaque++;
    expect(opaque).toBeGreaterThan(10);
    expect(opaque).toBeLessThan(r.rgba.length / 4 / 10);
  });
});

describe('case columns', () => {
  it('adds, updates by id, ignores cases without a point and trims by age', () => {
    const s = new PointStore(2);
    const p = (id: number, t: number, open = true) => ({ id, lon: 121.5, lat: 31.24, t, r: 0, category: 'parking', gridId: 3, open, overdue: false });
    expect(s.upsert(p(1, 100))).toBe('add');
    expect(s.upsert(p(2, 200))).toBe('add');
    expect(s.upsert(p(3, 300))).toBe('add'); // grows
    expect(s.upsert(p(2, 200, false))).toBe('update');
    expect(s.upsert({ ...p(4, 400), lon: null })).toBeNull();
    expect(s.n).toBe(3);
    expect(s.open[s.row(2)!]).toBe(0);
    expect(s.trimBefore(150)).toBe(1);
    expect([...s.id.subarray(0, s.n)]).toEqual([2, 3]);
    expect(s.has(1)).toBe(false);
    expect(s.row(3)).toBe(1);
    expect(s.merge({ from: '', to: '', now: '', truncated: false, categories: ['noise'], id: [3, 5], lon: [1, 2], lat: [3, 4], t: [300, 500], r: [0, 0], d: [0, 900], cat: [0, 0], grid: [0, 7], open: [1, 1], overdue: [0, 1] })).toBe(1);
    expect(s.n).toBe(3);
    expect(s.d[s.row(5)!]).toBe(900);
    expect(s.categories).toEqual(['parking', 'noise']);
  });
});
