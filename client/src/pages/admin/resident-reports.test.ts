import { describe, expect, it } from 'vitest';
import { AWARD_REFUSAL_TEXT } from '../../../../core/points.js';
import { ApiError } from '../../api/http.js';
import { AWARD_REFUSAL_ZH, pointsRefusal } from './resident-reports.js';

describe('points refusals in zh-CN', () => {
  it('names why a case earns nothing from the reason the server gives in details', () => {
    const e = new ApiError(422, 'not_awardable', AWARD_REFUSAL_TEXT.daily_cap, { reason: 'daily_cap' });
    expect(pointsRefusal(e)).toBe(`${AWARD_REFUSAL_ZH.daily_cap}（not_awardable）`);
    expect(pointsRefusal(new ApiError(422, 'not_awardable', 'reworded', { reason: 'rejected' }))).toBe(`${AWARD_REFUSAL_ZH.rejected}（not_awardable）`);
    expect(pointsRefusal(new ApiError(422, 'not_awardable', 'x'))).toBe('该案件不符合计分条件（not_awardable）');
    expect(pointsRefusal(new ApiError(409, 'already_awarded', 'x', { reason: 'already_awarded' }))).toBe(`${AWARD_REFUSAL_ZH.already_awarded}（already_awarded）`);
  });
});
