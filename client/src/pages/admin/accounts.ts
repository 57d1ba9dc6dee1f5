// 账号 tab: list, create (role + jurisdiction, generated initial password shown once), edit,
// disable/enable, reset password.
import { ROLE_BINDING, ROLES, type Role } from '../../../../core/permissions.js';
import { api, type Account, type AccountRow } from '../../api/http.js';
import { confirmDialog, field, openDialog, secretField } from '../../shell/dialog.js';
import { h } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';
import { flash } from '../../shell/header.js';
import { actionButton, fmtDateTime, jurisdictionLabel, jurisdictionPicker, pill, roleName, table, type RefData } from './common.js';

/** Roles an account may have (kiosk exists only as a token). */
const ACCOUNT_ROLES = (Object.keys(ROLES) as Role[]).filter((r) => r !== 'kiosk');

function roleSelect(value: Role, roles: Role[] = ACCOUNT_ROLES): HTMLSelectElement {
  const s = h('select', { name: 'role', required: true });
  s.append(...roles.map((r) => h('option', { value: r, selected: r === value }, `${ROLES[r]}（${r}）`)));
  s.value = value;
  return s;
}

/** The "shown once" dialog for a generated password. */
export function showInitialPassword(username: string, password: string, title: string): Promise<void> {
  return openDialog({
    title,
    id: 'secret-dialog',
    content: [
      h('p', { class: 'gc-dialog-text' }, '账号 ', h('b', { 'data-username': username }, username), ' 的初始密码如下。'),
      secretField('初始密码', password, { name: 'password' }),
      h('div', { class: 'gc-callout warn' }, '此密码只显示这一次，关闭后无法再次查看。请通过安全渠道交给本人；首次登录时须修改密码。'),
    ],
    submitLabel: '我已记下，关闭',
    cancelLabel: null,
  }).closed;
}

export function accountsTab(ref: RefData, me: Account): { el: HTMLElement; load(): Promise<void> } {
  const list = h('div', { class: 'gc-tab-body' }, h('div', { class: 'gc-muted' }, '加载中…'));
  const add = h('button', { type: 'button', class: 'gc-btn primary', id: 'new-account' }, '＋ 新建账号');
  add.addEventListener('click', () => void createDialog());
  const count = h('span', { class: 'gc-muted' });
  const el = h(
    'section',
    { class: 'gc-tab-panel', id: 'panel-accounts' },
    h('div', { class: 'gc-toolbar' }, h('div', {}, h('h2', {}, '账号'), count), add),
    list,
  );

  async function load() {
    const rows = await api.accounts();
    count.textContent = `共 ${rows.length} 个账号，${rows.filter((r) => r.active).length} 个启用`;
    list.replaceChildren(
      table(
        'accounts',
        ['用户名', '姓名', '角色', '辖区', '状态', '创建时间', '操作'],
        rows.map((r) => row(r)),
        '暂无账号',
      ),
    );
  }

  function row(r: AccountRow): HTMLElement {
    const self = me.kind === 'account' && me.id === r.id;
    const status = h(
      'td',
      {},
      r.active ? pill('启用', 'ok') : pill('停用', 'off'),
      r.active && r.must_change_password ? pill('待改密', 'warn') : null,
    );
    const actions = h(
      'td',
      { class: 'actions' },
      actionButton('编辑', () => void editDialog(r), { action: 'edit' }),
      actionButton('重置密码', () => void resetPassword(r), { action: 'reset' }),
      self
        ? null
        : r.active
          ? actionButton('停用', () => void setActive(r, false), { danger: true, action: 'disable' })
          : actionButton('启用', () => void setActive(r, true), { action: 'enable' }),
    );
    return h(
      'tr',
      { 'data-username': r.username, class: r.active ? null : 'inactive' },
      h('td', { class: 'mono' }, r.username, self ? h('span', { class: 'gc-me' }, '（我）') : null),
      h('td', {}, r.display_name),
      h('td', {}, roleName(r.role)),
      h('td', {}, jurisdictionLabel(ref, r, { division: r.division_name, grid: r.grid_name, department: r.department_name })),
      status,
      h('td', { class: 'time' }, fmtDateTime(r.created_at)),
      actions,
    );
  }

  async function createDialog() {
    const username = h('input', { name: 'username', required: true, pattern: '[A-Za-z0-9_.\\-]{3,64}', maxlength: 64, autocomplete: 'off', spellcheck: 'false', placeholder: '如 wangwu' });
    const displayName = h('input', { name: 'displayName', required: true, maxlength: 100, autocomplete: 'off', placeholder: '如 王五' });
    const role = roleSelect('grid_worker');
    const picker = jurisdictionPicker(ref, ROLE_BINDING.grid_worker);
    role.addEventListener('change', () => picker.set(ROLE_BINDING[role.value as Role]));
    let created: { username: string; initialPassword?: string } | null = null;
    await openDialog({
      title: '新建账号',
      lead: '系统会生成初始密码，只显示一次；首次登录时须修改。',
      id: 'account-dialog',
      wide: true,
      content: [
        h('div', { class: 'gc-form-grid' },
          field('用户名', username, '3–64 位字母、数字或 _ . -'),
          field('姓名', displayName),
          field('角色', role),
          field('辖区', picker.el),
        ),
      ],
      submitLabel: '创建账号',
      onSubmit: async () => {
        const j = picker.value();
        if (!j) throw new Error('请选择辖区');
        const res = await api.createAccount({ username: username.value.trim(), displayName: displayName.value.trim(), role: role.value, ...j });
        created = res;
      },
    }).closed;
    if (!created) return;
    const c = created as { username: string; initialPassword?: string };
    await load();
    if (c.initialPassword) await showInitialPassword(c.username, c.initialPassword, '账号已创建');
  }

  async function editDialog(r: AccountRow) {
    const displayName = h('input', { name: 'displayName', required: true, maxlength: 100, value: r.display_name });
    const role = roleSelect(r.role as Role);
    const current = { divisionCode: r.division_code, gridId: r.grid_id, departmentId: r.department_id };
    const picker = jurisdictionPicker(ref, ROLE_BINDING[r.role as Role] ?? 'any', current);
    role.addEventListener('change', () => picker.set(ROLE_BINDING[role.value as Role]));
    let saved = false;
    await openDialog({
      title: `编辑账号 ${r.username}`,
      lead: '修改角色、辖区后，该账号须重新登录。',
      id: 'account-dialog',
      wide: true,
      content: [h('div', { class: 'gc-form-grid' }, field('姓名', displayName), field('角色', role), field('辖区', picker.el))],
      submitLabel: '保存',
      onSubmit: async () => {
        const j = picker.value();
        if (!j) throw new Error('请选择辖区');
        const rebind = JSON.stringify(j) !== JSON.stringify(Object.fromEntries(Object.entries(current).filter(([, v]) => v != null)));
        await api.updateAccount(r.id, {
          ...(displayName.value.trim() !== r.display_name ? { displayName: displayName.value.trim() } : {}),
          ...(role.value !== r.role ? { role: role.value } : {}),
          // A rebind names exactly one of the three; the others are cleared.
          ...(rebind || role.value !== r.role ? { divisionCode: j.divisionCode ?? null, gridId: j.gridId ?? null, departmentId: j.departmentId ?? null } : {}),
        });
        saved = true;
      },
    }).closed;
    if (saved) {
      flash('账号已保存');
      await load();
    }
  }

  async function resetPassword(r: AccountRow) {
    if (!(await confirmDialog('重置密码', `为 ${r.display_name}（${r.username}）生成新的初始密码？原密码立即失效，该账号的登录会话全部结束。`, { confirmLabel: '重置密码', danger: true }))) return;
    try {
      const res = await api.updateAccount(r.id, { resetPassword: true });
      await load();
      if (res.initialPassword) await showInitialPassword(r.username, res.initialPassword, '密码已重置');
    } catch (e) {
      reportError(e);
    }
  }

  async function setActive(r: AccountRow, active: boolean) {
    if (!active && !(await confirmDialog('停用账号', `停用 ${r.display_name}（${r.username}）？该账号将无法登录，当前会话立即结束。可随时重新启用。`, { confirmLabel: '停用', danger: true }))) return;
    try {
      await api.updateAccount(r.id, { active });
      flash(active ? '账号已启用' : '账号已停用');
      await load();
    } catch (e) {
      reportError(e);
    }
  }

  return { el, load };
}

/** An error outside a form dialog: a small dialog with the zh-CN message. */
export function reportError(e: unknown): void {
  openDialog({ title: '操作失败', id: 'error-dialog', content: [h('p', { class: 'gc-dialog-text' }, errorMessage(e))], submitLabel: '知道了', cancelLabel: null });
}
