import { describe, expect, it } from 'vitest';
import { planCity } from './city.js';
import { HOURLY, dailyCounts, incidentLines } from './incidents.js';
import { locate } from './layout.js';

const parse = (line: string) => line.slice(0, -1).split('\t');

describe('synthetic incidents', () => {
  it('sum to the total with quieter weekends', () => {
    const c = dailyCounts(100_000, 365, '2026-12-01');
    expect(c).toHaveLength(365);
    expect(c.reduce((a, b) => a + b)).toBe(100_000);
    const start = Date.parse('2026-12-01T00:00:00Z') - 365 * 86_400_000;
    const byDow = [0, 0, 0, 0, 0, 0, 0];
    c.forEach((n, d) => { const k = new Date(start + d * 86_400_000).getUTCDay(); byDow[k] = byDow[k]! + n; });
    expect(byDow[0]).toBeLessThan(byDow[2]!);
  });

  it('are located to the grid whose interior holds them, in time order, with a daily rhythm and hotspots', () => {
    const p = planCity(80, 7, 'c', { grid: 10, building: 1, partyOrg: 1 });
    const rows = [...incidentLines(p, { total: 10_000, days: 20, end: '2026-06-01' })].map(parse);
    expect(rows).toHaveLength(10_000);
    const perGrid = new Map<number, number>();
    const hours = new Array<number>(24).fill(0);
    let last = '';
    const bad: string[] = [];
    for (const f of rows) {
      const [x, y] = f[6]!.match(/POINT\(([\d.]+) ([\d.]+)\)/)!.slice(1).map(Number) as [number, number];
      const g = Number(f[7]) - 10;
      const cell = p.city.grids[g]!;
      if (locate(p.city, x, y) !== g) bad.push(`${f[0]}: not in grid ${cell.code}`);
      if (f[8] !== p.city.communities[cell.community]!.code || !cell.code.startsWith(f[9]!) || !f[9]!.startsWith(f[10]!)) bad.push(`${f[0]}: divisions`);
      if (f[12]! < last || f[13]! < f[12]! || f[12]! >= '2026-06-01') bad.push(`${f[0]}: times ${f[12]} ${f[13]}`);
      last = f[12]!;
      const h = (new Date(f[12]!).getUTCHours() + 8) % 24;
      hours[h] = hours[h]! + 1;
      perGrid.set(g, (perGrid.get(g) ?? 0) + 1);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(hours[10]! / hours[3]!).toBeGreaterThan(5);
    expect(HOURLY[10]! / HOURLY[3]!).toBeGreaterThan(5);
    const counts = [...perGrid.values()].sort((a, b) => b - a);
    expect(counts[0]! / (10_000 / 80)).toBeGreaterThan(3); // a hotspot grid draws several times its share
    // old cases are closed, the last two days' are open
    const old = rows.filter((f) => f[12]! < '2026-05-20');
    expect(old.every((f) => ['closed', 'rated', 'duplicate'].includes(f[5]!))).toBe(true);
    const recent = rows.filter((f) => f[12]! > '2026-05-31');
    expect(recent.every((f) => ['reported', 'accepted', 'dispatched', 'in_progress'].includes(f[5]!))).toBe(true);
  }, 60_000);
});
