// The wall's 一年一事 leader mark and its masking of staff numbers (pure parts of parts/votes.ts and parts/staff.ts).
import { describe, expect, it } from 'vitest';
import { wallPhone } from './staff.js';
import { leaders } from './votes.js';

const row = (projectId: number, votes: number) => ({ projectId, votes });

describe('wall 一年一事 and 一格三员', () => {
  it('marks the project with the most votes, every one of them on a tie, none before anyone voted', () => {
    expect([...leaders({ projects: [row(2, 3), row(1, 1), row(3, 0)] })]).toEqual([2]);
    expect([...leaders({ projects: [row(4, 2), row(5, 2), row(6, 1)] })]).toEqual([4, 5]);
    expect([...leaders({ projects: [row(7, 0), row(8, 0)] })]).toEqual([]);
    expect([...leaders({ projects: [] })]).toEqual([]);
  });

  it('never shows a full number: masked ones pass, a full one is masked, none stays none', () => {
    expect(wallPhone('138****5678')).toBe('138****5678');
    expect(wallPhone('13812345678')).toBe('138****5678');
    expect(wallPhone(null)).toBeNull();
  });
});
