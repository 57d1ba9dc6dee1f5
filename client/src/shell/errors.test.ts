import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../../../core/errors.js';
import { ApiError } from '../api/http.js';
import { ERROR_MESSAGES, errorMessage } from './errors.js';

describe('zh-CN error messages', () => {
  it('every stable error code of the API has a Chinese sentence', () => {
    for (const code of Object.keys(ERROR_STATUS)) {
      const text = (ERROR_MESSAGES as Record<string, string>)[code];
      expect(text, code).toBeTruthy();
      expect(text, code).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('an error is shown by its code, or by a finer message when the server says more', () => {
    expect(errorMessage(new ApiError(409, 'already_voted', 'one vote per resident'))).toBe(ERROR_MESSAGES.already_voted);
    expect(errorMessage(new ApiError(409, 'conflict', 'username ops.1 is taken'))).toBe('用户名已被占用');
  });
});
