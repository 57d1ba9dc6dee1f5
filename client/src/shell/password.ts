// Password rules (the server's: at least 10 characters, letters and digits) and the
// 修改密码 dialog the header opens.
import { api } from '../api/http.js';
import { field, openDialog } from './dialog.js';
import { h } from './dom.js';

/** The zh-CN reason a new password is refused, or null. Mirrors server/auth/passwords.ts. */
export function passwordProblem(p: string): string | null {
  if (p.length < 10) return '新密码至少需要 10 位';
  if (p.length > 200) return '新密码过长';
  if (!/[A-Za-z]/.test(p) || !/\d/.test(p)) return '新密码须同时包含字母和数字';
  return null;
}

/** Checks new + repeat; returns the problem or null. */
export function newPasswordProblem(next: string, repeat: string, current?: string): string | null {
  const weak = passwordProblem(next);
  if (weak) return weak;
  if (next !== repeat) return '两次输入的新密码不一致';
  if (current !== undefined && current === next) return '新密码不能与当前密码相同';
  return null;
}

const pw = (name: string, autocomplete: string) =>
  h('input', { type: 'password', name, required: true, autocomplete, maxlength: 200 });

/** Opens the change-password dialog; resolves true when the password was changed. */
export function openPasswordDialog(): Promise<boolean> {
  return new Promise((resolve) => {
    let changed = false;
    const cur = pw('currentPassword', 'current-password');
    const next = pw('newPassword', 'new-password');
    const again = pw('repeatPassword', 'new-password');
    openDialog({
      title: '修改密码',
      lead: '修改后，此账号在其他设备上的登录将失效。',
      id: 'gc-password-dialog',
      content: [
        field('当前密码', cur),
        field('新密码', next, '至少 10 位，须同时包含字母和数字'),
        field('确认新密码', again),
      ],
      submitLabel: '保存新密码',
      onSubmit: async () => {
        const problem = newPasswordProblem(next.value, again.value, cur.value);
        if (problem) throw new Error(problem);
        await api.changePassword(cur.value, next.value);
        changed = true;
      },
      onClose: () => resolve(changed),
    });
  });
}
