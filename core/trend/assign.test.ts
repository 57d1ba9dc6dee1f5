import { describe, expect, it } from 'vitest';
import { assigneeCovers, type WarningPlace } from './assign.js';

const gridWarning: WarningPlace = { gridId: 12, communityCode: 'C1', subdistrictCode: 'S1', districtCode: 'D' };
const areaWarning: WarningPlace = { gridId: null, communityCode: 'C1', subdistrictCode: 'S1', districtCode: 'D' };
const grid = (gridId: number, community: string) => ({ divisionCode: null, gridId, gridCommunityCode: community });
const division = (code: string) => ({ divisionCode: code, gridId: null, gridCommunityCode: null });

describe('assigneeCovers', () => {
  it('a grid-bound account covers its own grid only, and its community-wide warnings', () => {
    expect(assigneeCovers(gridWarning, grid(12, 'C1'))).toBe(true);
    expect(assigneeCovers(gridWarning, grid(13, 'C1'))).toBe(false); // a neighbour grid of the same community
    expect(assigneeCovers(areaWarning, grid(13, 'C1'))).toBe(true);
    expect(assigneeCovers(areaWarning, grid(40, 'C2'))).toBe(false);
  });
  it('a division-bound account covers warnings filed under its division', () => {
    for (const code of ['C1', 'S1', 'D']) {
      expect(assigneeCovers(gridWarning, division(code))).toBe(true);
      expect(assigneeCovers(areaWarning, division(code))).toBe(true);
    }
    expect(assigneeCovers(gridWarning, division('C2'))).toBe(false);
    expect(assigneeCovers(areaWarning, division('S2'))).toBe(false);
  });
  it('a warning without a place is covered only by accounts without a binding', () => {
    const nowhere: WarningPlace = { gridId: null, communityCode: null, subdistrictCode: null, districtCode: null };
    expect(assigneeCovers(nowhere, division('C1'))).toBe(false);
    expect(assigneeCovers(nowhere, grid(12, 'C1'))).toBe(false);
    expect(assigneeCovers(nowhere, { divisionCode: null, gridId: null, gridCommunityCode: null })).toBe(true);
  });
});
