import { describe, expect, it } from 'vitest';
import { countLabel } from './case-count.js';

describe('/map case count', () => {
  it('says how many of how many when the load cap cuts the list', () => {
    expect(countLabel(300, 1234)).toBe('显示 300 / 共 1,234');
    expect(countLabel(41, 41)).toBe('共 41');
    expect(countLabel(12, null)).toBe('显示 12');
  });
});
