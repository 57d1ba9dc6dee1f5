import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import type { DraftGrid } from '../../../../core/grid-edit/contract.js';
import { History } from './history.js';
import { deleteGrid, drawGrid, gridsFromState, handlesOf, mergeGrids, moveHandle, nextGridName, nextKey, setLocked, splitGrids, stateFromGrids } from './model.js';

const X0 = 121.49, Y0 = 31.24, D = 0.001;
const sq = (i: number): Polygon => ({ type: 'Polygon', coordinates: [[[X0 + i * D, Y0], [X0 + (i + 1) * D, Y0], [X0 + (i + 1) * D, Y0 + D], [X0 + i * D, Y0 + D], [X0 + i * D, Y0]]] });
const P = '外滩街道·中山东一路社区·';
const grids: DraftGrid[] = [
  { id: 11, key: '11', name: `${P}第01网格`, geometry: sq(0) },
  { id: 12, key: '12', name: `${P}第02网格`, geometry: sq(1) },
];
const community: Polygon = { type: 'Polygon', coordinates: [[[X0, Y0], [X0 + 3 * D, Y0], [X0 + 3 * D, Y0 + D], [X0, Y0 + D], [X0, Y0]]] };
const ok = <T>(r: { ok: true; value: T } | { ok: false; message: string }): T => {
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

describe('naming and keys', () => {
  it('numbers a new grid after the community’s highest', () => {
    expect(nextGridName([`${P}第01网格`, `${P}第07网格`], '中山东一路社区')).toBe(`${P}第08网格`);
    expect(nextGridName([], '中山东一路社区')).toBe('中山东一路社区·第01网格');
    expect(nextKey(stateFromGrids([{ ...grids[0]!, key: 'new-3' }]))).toBe('new-4');
  });
});

describe('editing with lineage', () => {
  it('split: the larger piece keeps id and name, the other is new with splitFrom', () => {
    const s = stateFromGrids(grids);
    const x = X0 + D * 1.3;
    const r = ok(splitGrids(s, [[x, Y0 - D * 0.1], [x, Y0 + D * 1.1]], '中山东一路社区'));
    expect(r.split).toEqual(['12']);
    const out = gridsFromState(r.state);
    expect(out.map((g) => [g.id, g.key, g.name])).toEqual([
      [11, '11', `${P}第01网格`],
      [12, '12', `${P}第02网格`],
      [null, 'new-1', `${P}第03网格`],
    ]);
    expect(out[2]!.lineage).toEqual({ splitFrom: 12 });
  });

  it('a line across two grids splits both', () => {
    const s = stateFromGrids(grids);
    const y = Y0 + D * 0.5;
    const r = ok(splitGrids(s, [[X0 - D * 0.1, y], [X0 + D * 2.1, y]], '中山东一路社区'));
    expect(r.split).toEqual(['11', '12']);
    expect(r.created).toEqual(['new-1', 'new-2']);
  });

  it('refuses to split a locked grid, and a line that crosses nothing', () => {
    const s = setLocked(stateFromGrids(grids), '12', true);
    const x = X0 + D * 1.3;
    expect(splitGrids(s, [[x, Y0 - D * 0.1], [x, Y0 + D * 1.1]], 'c')).toMatchObject({ ok: false, code: 'locked' });
    expect(splitGrids(s, [[X0 + 5 * D, Y0], [X0 + 6 * D, Y0]], 'c')).toMatchObject({ ok: false, code: 'line_must_cross' });
  });

  it('merge keeps the published grid and records mergedFrom', () => {
    const s = stateFromGrids([{ ...grids[0]!, id: null, key: 'new-1' }, grids[1]!]);
    const m = ok(mergeGrids(s, 'new-1', '12'));
    expect(gridsFromState(m)).toMatchObject([{ id: 12, key: '12', lineage: { mergedFrom: ['new-1'] } }]);
  });

  it('delete leaves a gap or gives the area to a neighbour; draw fills the gap', () => {
    const s = stateFromGrids(grids);
    const gap = ok(deleteGrid(s, '12'));
    expect(gridsFromState(gap).map((g) => g.key)).toEqual(['11']);
    const drawn = ok(drawGrid(gap, [[X0 + 0.5 * D, Y0 - D], [X0 + 4 * D, Y0 - D], [X0 + 4 * D, Y0 + 2 * D], [X0 + 0.5 * D, Y0 + 2 * D]], community, '中山东一路社区'));
    expect(drawn.key).toBe('new-1');
    expect(gridsFromState(drawn.state)).toHaveLength(2);
    const given = ok(deleteGrid(s, '12', '11'));
    expect(gridsFromState(given)).toMatchObject([{ id: 11, lineage: { mergedFrom: [12] } }]);
  });

  it('dragging a shared vertex handle reshapes both grids; an edge midpoint bends the shared edge', () => {
    const s = stateFromGrids(grids);
    const hs = handlesOf(s);
    const shared = hs.filter((h) => h.kind === 'vertex' && h.shared);
    expect(shared).toHaveLength(2);
    const moved = ok(moveHandle(s, shared[0]!.id, [shared[0]!.position[0] + D * 0.2, shared[0]!.position[1]]));
    const [a, b] = gridsFromState(moved);
    expect(JSON.stringify(a!.geometry)).toContain(String(shared[0]!.position[0] + D * 0.2).slice(0, 10));
    expect(JSON.stringify(b!.geometry)).toContain(String(shared[0]!.position[0] + D * 0.2).slice(0, 10));
    const mid = hs.find((h) => h.kind === 'midpoint' && Math.abs(h.position[0] - (X0 + D)) < 1e-9)!;
    const bent = ok(moveHandle(s, mid.id, [mid.position[0] + D * 0.3, mid.position[1]]));
    expect(gridsFromState(bent).map((g) => (g.geometry as Polygon).coordinates[0]!.length)).toEqual([6, 6]);
  });
});

describe('History', () => {
  it('undoes and redoes; a new edit drops the redo branch', () => {
    const h = new History(0);
    h.push(1);
    h.push(2);
    expect(h.undo()).toBe(1);
    expect(h.undo()).toBe(0);
    expect(h.undo()).toBeNull();
    expect(h.redo()).toBe(1);
    h.push(5);
    expect(h.canRedo).toBe(false);
    expect(h.current).toBe(5);
  });
});
