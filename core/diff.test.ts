import { describe, expect, it } from 'vitest';
import { applyDiff } from './diff.js';

type Row = { id: number; v: string };
const idOf = (r: Row) => r.id;

describe('applyDiff', () => {
  it('adds, updates and removes without touching the input', () => {
    const start = new Map([[1, { id: 1, v: 'a' }], [2, { id: 2, v: 'b' }]]);
    const next = applyDiff(start, { add: [{ id: 3, v: 'c' }], update: [{ id: 1, v: 'A' }], remove: [2] }, idOf);
    expect([...next.values()]).toEqual([{ id: 1, v: 'A' }, { id: 3, v: 'c' }]);
    expect(start.get(2)).toEqual({ id: 2, v: 'b' });
  });
  it('is idempotent for a replayed diff', () => {
    const d = { add: [{ id: 5, v: 'x' }], update: [], remove: [] };
    const once = applyDiff(new Map(), d, idOf);
    const twice = applyDiff(once, d, idOf);
    expect(twice.size).toBe(1);
  });
});
