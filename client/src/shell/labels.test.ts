import { describe, expect, it } from 'vitest';
import { WORKFLOW } from '../../../core/workflow.js';
import { nameOr, STATUS_NAMES } from './labels.js';

describe('STATUS_NAMES (case state labels in feeds and info panels)', () => {
  it('names every workflow state in Chinese, as the workflow table does', () => {
    for (const s of WORKFLOW.states) {
      expect(nameOr(STATUS_NAMES, s.code), s.code).toBe(s.name);
      expect(STATUS_NAMES[s.code], s.code).toMatch(/^[\u4e00-\u9fff]+$/);
    }
    // The states after closure are named too (the feed once showed "rated" raw, and 已结案 as 已关闭).
    expect(nameOr(STATUS_NAMES, 'rated')).toBe('已评价');
    expect(nameOr(STATUS_NAMES, 'closed')).toBe('已结案');
  });
});
