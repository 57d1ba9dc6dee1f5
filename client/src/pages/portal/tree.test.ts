import { describe, expect, it } from 'vitest';
import type { DivisionNode } from '../../../../core/types.js';
import { divisionOverview, gridRows } from './tree.js';

const node = (level: DivisionNode['level'], name: string, gridCount: number, households: number, children: DivisionNode[] = []): DivisionNode => ({
  code: name, name, level, parentCode: null, syntheticGeometry: true, codeSource: 'synthetic', gridCount, households, children,
});

const district = node('district', '区', 5, 1200, [
  node('subdistrict', '外滩街道', 3, 700, [node('community', '甲社区', 2, 500), node('community', '乙社区', 1, 200)]),
  node('subdistrict', '陆家嘴街道', 2, 500, [node('community', '丙社区', 2, 500)]),
]);

describe('divisionOverview (portal 辖区概况)', () => {
  it('lists subdistricts with their communities for a district account', () => {
    const o = divisionOverview(district);
    expect(o.counts).toEqual({ subdistrict: 2, community: 3 });
    expect([o.gridCount, o.households]).toEqual([5, 1200]);
    expect(o.rows.map((r) => [r.level, r.name, r.depth])).toEqual([
      ['subdistrict', '外滩街道', 0], ['community', '甲社区', 1], ['community', '乙社区', 1],
      ['subdistrict', '陆家嘴街道', 0], ['community', '丙社区', 1],
    ]);
  });
  it('starts at the subdistrict for staff bound to one', () => {
    const o = divisionOverview(district.children[0]!);
    expect(o.counts).toEqual({ subdistrict: 1, community: 2 });
    expect(o.rows.map((r) => r.name)).toEqual(['外滩街道', '甲社区', '乙社区']);
  });
  it('shows a community account its own community, with no subdistrict count', () => {
    const o = divisionOverview(district.children[0]!.children[1]!);
    expect(o.counts).toEqual({ community: 1 });
    expect(o.rows).toEqual([{ level: 'community', code: '乙社区', name: '乙社区', gridCount: 1, households: 200, depth: 0 }]);
    expect([o.gridCount, o.households]).toEqual([1, 200]);
  });
  it('lists a community\'s grids by code, under their own names', () => {
    const g = (id: number, code: string, name: string, households: number) =>
      ({ type: 'Feature' as const, geometry: { type: 'MultiPolygon' as const, coordinates: [] }, properties: { id, code, name, households, communityCode: 'c', communityName: '甲社区', residents: 0, buildings: 0, synthetic: true } });
    const rows = gridRows({ type: 'FeatureCollection', features: [g(7, 'c-10', '外滩街道・甲社区・第10网格', 320), g(3, 'c-2', '外滩街道・甲社区・第02网格', 280)] });
    expect(rows).toEqual([
      { id: 3, name: '第02网格', fullName: '外滩街道・甲社区・第02网格', households: 280 },
      { id: 7, name: '第10网格', fullName: '外滩街道・甲社区・第10网格', households: 320 },
    ]);
  });
});
