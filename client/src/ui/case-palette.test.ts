import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CASE_PHASES, casePhase } from './case-palette.js';

const list = (JSON.parse(readFileSync(new URL('../../../data/service-classes.json', import.meta.url), 'utf8')) as { classes: { code: string; color: string }[] }).classes;
const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const dist = (a: string, b: string) => Math.hypot(...rgb(a).map((x, i) => x - rgb(b)[i]!));

describe('case and facility palettes of the map pages', () => {
  it('keeps every case colour far from every facility class colour, and the case colours apart', () => {
    expect(list.length).toBe(16);
    for (const p of CASE_PHASES) for (const c of list) expect(dist(p.color, c.color), `${p.phase} vs ${c.code}`).toBeGreaterThan(80);
    for (const a of CASE_PHASES) for (const b of CASE_PHASES) if (a !== b) expect(dist(a.color, b.color)).toBeGreaterThan(150);
  });
  it('puts a case in hand, past its deadline or done', () => {
    const now = Date.parse('2026-03-01T08:00:00Z');
    expect(casePhase({ statusType: 'open', overdue: false, deadlineAt: '2026-03-01T09:00:00Z' }, now)).toBe('open');
    expect(casePhase({ statusType: 'open', overdue: false, deadlineAt: '2026-03-01T07:00:00Z' }, now)).toBe('overdue');
    expect(casePhase({ statusType: 'open', overdue: true, deadlineAt: null }, now)).toBe('overdue');
    expect(casePhase({ statusType: 'fixed', overdue: true, deadlineAt: null }, now)).toBe('done');
    expect(casePhase({ statusType: 'closed', overdue: false, deadlineAt: null }, now)).toBe('done');
  });
});
