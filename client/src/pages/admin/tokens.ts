// 令牌 tab: API tokens (machines) and 大屏 kiosk tokens (read-only wall screens): create (secret
// shown once; for kiosk the full wall URL), rotate (new secret once, the old one stops working at
// once), revoke.
import { ROLE_BINDING, ROLES, type Role } from '../../../../core/permissions.js';
import { api, type TokenRow } from '../../api/http.js';
import { confirmDialog, field, openDialog, secretField } from '../../shell/dialog.js';
import { h } from '../../shell/dom.js';
import { flash } from '../../shell/header.js';
import { reportError } from './accounts.js';
import { actionButton, fmtDateTime, jurisdictionLabel, jurisdictionPicker, pill, roleName, table, type RefData } from './common.js';

/** Roles an API token may have (not admin, not kiosk). */
const API_ROLES = (Object.keys(ROLES) as Role[]).filter((r) => r !== 'admin' && r !== 'kiosk');

/** The wall screen's address for a kiosk token: http(s)://host/wall?kiosk=… */
export function wallUrl(token: string, origin = location.origin): string {
  return `${origin}/wall?kiosk=${encodeURIComponent(token)}`;
}

function showSecret(kind: 'api' | 'kiosk', name: string, token: string, title: string): Promise<void> {
  const url = wallUrl(token);
  return openDialog({
    title,
    id: 'secret-dialog',
    wide: true,
    content: [
      h('p', { class: 'gc-dialog-text' }, kind === 'kiosk' ? '大屏令牌 ' : 'API 令牌 ', h('b', {}, name), ' 的密钥如下。'),
      kind === 'kiosk' ? secretField('大屏地址（在大屏浏览器中打开）', url, { name: 'wallUrl' }) : null,
      secretField('令牌密钥', token, { name: 'token' }),
      kind === 'api'
        ? h('p', { class: 'gc-dialog-hint' }, '调用接口时在请求头中携带 ', h('code', {}, 'Authorization: Bearer <令牌>'), '。')
        : h('p', { class: 'gc-dialog-hint' }, '大屏以只读方式打开，不能修改任何数据；地址中的令牌在页面打开后会从地址栏移除。'),
      h('div', { class: 'gc-callout warn' }, '密钥只显示这一次，关闭后无法再次查看。如遗失，请“轮换”生成新密钥。'),
    ],
    submitLabel: '我已保存，关闭',
    cancelLabel: null,
  }).closed;
}

export function tokensTab(ref: RefData): { el: HTMLElement; load(): Promise<void> } {
  const list = h('div', { class: 'gc-tab-body' }, h('div', { class: 'gc-muted' }, '加载中…'));
  const addKiosk = h('button', { type: 'button', class: 'gc-btn primary', id: 'new-kiosk-token' }, '＋ 新建大屏令牌');
  const addApi = h('button', { type: 'button', class: 'gc-btn', id: 'new-api-token' }, '＋ 新建 API 令牌');
  addKiosk.addEventListener('click', () => void createDialog('kiosk'));
  addApi.addEventListener('click', () => void createDialog('api'));
  const count = h('span', { class: 'gc-muted' });
  const el = h(
    'section',
    { class: 'gc-tab-panel', id: 'panel-tokens' },
    h('div', { class: 'gc-toolbar' }, h('div', {}, h('h2', {}, '令牌'), count), h('div', { class: 'gc-toolbar-actions' }, addApi, addKiosk)),
    list,
  );

  async function load() {
    const rows = await api.tokens();
    const live = rows.filter((r) => !r.revoked_at);
    count.textContent = `有效 ${live.length} 个（大屏 ${live.filter((r) => r.kind === 'kiosk').length}，API ${live.filter((r) => r.kind === 'api').length}）`;
    // Valid tokens first, newest first; revoked ones after.
    const sorted = [...rows].sort((a, b) => Number(!!a.revoked_at) - Number(!!b.revoked_at) || b.id - a.id);
    list.replaceChildren(table('tokens', ['名称', '类型', '角色', '辖区', '前缀', '创建', '最近使用', '状态', '操作'], sorted.map(row), '暂无令牌'));
  }

  function row(r: TokenRow): HTMLElement {
    const revoked = !!r.revoked_at;
    return h(
      'tr',
      { 'data-token-id': r.id, 'data-token-name': r.name, class: revoked ? 'inactive' : null },
      h('td', {}, r.name),
      h('td', {}, r.kind === 'kiosk' ? pill('大屏', 'info') : pill('API', 'off')),
      h('td', {}, roleName(r.role)),
      h('td', {}, jurisdictionLabel(ref, r, { division: r.division_name, grid: r.grid_name, department: r.department_name })),
      h('td', { class: 'mono' }, `${r.prefix}…`),
      h('td', { class: 'time' }, fmtDateTime(r.created_at), r.created_by ? h('div', { class: 'gc-muted small' }, r.created_by) : null),
      h('td', { class: 'time' }, fmtDateTime(r.last_used_at)),
      h('td', {}, revoked ? pill('已吊销', 'bad') : pill('有效', 'ok'), revoked ? h('div', { class: 'gc-muted small' }, fmtDateTime(r.revoked_at)) : null),
      h(
        'td',
        { class: 'actions' },
        revoked ? null : actionButton('轮换', () => void rotate(r), { action: 'rotate' }),
        revoked ? null : actionButton('吊销', () => void revoke(r), { danger: true, action: 'revoke' }),
      ),
    );
  }

  async function createDialog(kind: 'api' | 'kiosk') {
    const name = h('input', { name: 'name', required: true, maxlength: 100, autocomplete: 'off', placeholder: kind === 'kiosk' ? '如 指挥中心大屏 1' : '如 12345 热线对接' });
    const role = h('select', { name: 'role', required: true });
    role.append(...API_ROLES.map((r) => h('option', { value: r }, `${ROLES[r]}（${r}）`)));
    role.value = 'district_leader';
    const picker = jurisdictionPicker(ref, kind === 'kiosk' ? 'kiosk' : ROLE_BINDING.district_leader);
    role.addEventListener('change', () => picker.set(ROLE_BINDING[role.value as Role]));
    let made: { token: string; name: string } | null = null;
    await openDialog({
      title: kind === 'kiosk' ? '新建大屏令牌' : '新建 API 令牌',
      lead: kind === 'kiosk'
        ? '大屏令牌只读：可查看所选辖区的地图与事件，不能做任何修改。'
        : 'API 令牌供其他系统调用接口，权限与所选角色、辖区一致。',
      id: 'token-dialog',
      wide: true,
      content: [
        h('div', { class: 'gc-form-grid' },
          field('名称', name),
          kind === 'api' ? field('角色', role) : field('角色', h('input', { value: '大屏（kiosk，只读）', readonly: true, tabindex: -1 })),
          field('辖区', picker.el),
        ),
      ],
      submitLabel: '生成令牌',
      onSubmit: async () => {
        const j = picker.value();
        if (!j || (j.divisionCode == null && j.gridId == null && j.departmentId == null)) throw new Error('请选择辖区');
        const res = await api.createToken({ name: name.value.trim(), kind, ...(kind === 'api' ? { role: role.value } : {}), ...j });
        made = { token: res.token, name: res.name };
      },
    }).closed;
    if (!made) return;
    const m = made as { token: string; name: string };
    await load();
    await showSecret(kind, m.name, m.token, '令牌已生成');
  }

  async function rotate(r: TokenRow) {
    const ok = await confirmDialog('轮换令牌', `为“${r.name}”生成新密钥？旧密钥立即失效${r.kind === 'kiosk' ? '，正在使用旧地址的大屏将无法显示数据，须改用新地址' : ''}。`, { confirmLabel: '轮换', danger: true });
    if (!ok) return;
    try {
      const res = await api.rotateToken(r.id);
      await load();
      await showSecret(r.kind, r.name, res.token, '令牌已轮换');
    } catch (e) {
      reportError(e);
    }
  }

  async function revoke(r: TokenRow) {
    const ok = await confirmDialog('吊销令牌', `吊销“${r.name}”？吊销后立即失效且不可恢复${r.kind === 'kiosk' ? '，使用它的大屏将停止显示数据' : ''}。`, { confirmLabel: '吊销', danger: true });
    if (!ok) return;
    try {
      await api.revokeToken(r.id);
      flash('令牌已吊销');
      await load();
    } catch (e) {
      reportError(e);
    }
  }

  return { el, load };
}
