// 审计日志 tab: who did what, when, from where; filter by time; export as CSV.
import { api, withQuery, type AuditRow } from '../../api/http.js';
import { h } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';
import { fmtDateTime, pill, table } from './common.js';

const ACTION_ZH: Record<string, string> = {
  login: '登录',
  login_failed: '登录失败',
  logout: '退出',
  password_change: '修改密码',
  create: '新建',
  update: '修改',
  delete: '删除',
  rotate: '轮换',
  revoke: '吊销',
  export: '查看/导出',
  read_full: '查看完整信息',
  accept: '受理',
  dispatch: '派遣',
  start: '开始处置',
  resolve: '办结',
  self_resolve: '自行办结',
  verify: '核查',
  close: '结案',
  reopen: '重新打开',
  return: '退回',
  escalate: '上报',
  whistle: '吹哨',
  report_in: '报到',
  rate: '评价',
  merge: '合并',
};
const RESOURCE_ZH: Record<string, string> = {
  account: '账号',
  token: '令牌',
  department: '部门',
  audit: '审计日志',
  incident: '事件',
  resident_pii: '居民信息',
  resident: '居民信息',
  workflow: '责任清单',
  grid: '网格',
  photo: '照片',
  incident_contact: '报事人联系方式',
  report: '统计报表',
  responsibility: '责任清单',
};
const OUTCOME: Record<string, [string, 'ok' | 'warn' | 'bad']> = { ok: ['成功', 'ok'], denied: ['拒绝', 'warn'], failed: ['失败', 'bad'] };

/** datetime-local value ("2025-03-04T14:03") → ISO with offset for the API. */
function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function auditTab(): { el: HTMLElement; load(): Promise<void> } {
  const list = h('div', { class: 'gc-tab-body' }, h('div', { class: 'gc-muted' }, '加载中…'));
  const since = h('input', { type: 'datetime-local', name: 'since', 'aria-label': '起始时间' });
  const limit = h('select', { name: 'limit', 'aria-label': '条数' }, ...[100, 500, 2000, 10000].map((n) => h('option', { value: n, selected: n === 500 }, `最近 ${n} 条`)));
  const query = h('button', { type: 'submit', class: 'gc-btn' }, '查询');
  const csv = h('a', { class: 'gc-btn ghost', id: 'audit-csv', download: 'audit-log.csv' }, '导出 CSV');
  const form = h('form', { class: 'gc-inline-form', id: 'audit-filter' }, h('label', { class: 'gc-inline-label' }, '起始时间', since), limit, query, csv);
  const count = h('span', { class: 'gc-muted' });
  const el = h(
    'section',
    { class: 'gc-tab-panel', id: 'panel-audit' },
    h('div', { class: 'gc-toolbar' }, h('div', {}, h('h2', {}, '审计日志'), count), form),
    list,
  );
  const params = () => ({ since: isoOf(since.value), limit: Number(limit.value) });
  const updateCsv = () => {
    csv.setAttribute('href', withQuery('/api/audit', { ...params(), format: 'csv' }));
  };
  since.addEventListener('change', updateCsv);
  limit.addEventListener('change', updateCsv);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void load();
  });

  function row(r: AuditRow): HTMLElement {
    const [txt, kind] = OUTCOME[r.outcome] ?? [r.outcome, 'warn'];
    const detail = r.detail && Object.keys(r.detail).length ? JSON.stringify(r.detail) : '';
    return h(
      'tr',
      { 'data-audit-id': r.id, title: [detail, r.user_agent].filter(Boolean).join('\n') || null },
      h('td', { class: 'time' }, fmtDateTime(r.at)),
      h('td', {}, r.actor),
      h('td', {}, ACTION_ZH[r.action] ?? r.action),
      h('td', {}, RESOURCE_ZH[r.resource] ?? r.resource, r.resource_id ? h('span', { class: 'gc-muted mono' }, ` #${r.resource_id}`) : null),
      h('td', {}, pill(txt, kind)),
      h('td', { class: 'mono' }, r.ip ?? '—'),
    );
  }

  async function load() {
    updateCsv();
    list.replaceChildren(h('div', { class: 'gc-muted' }, '加载中…'));
    try {
      const rows = await api.audit(params());
      count.textContent = `${rows.length} 条${rows.length >= params().limit ? '（已达上限，可缩小时间范围）' : ''}`;
      list.replaceChildren(table('audit', ['时间', '操作者', '操作', '对象', '结果', 'IP'], rows.map(row), '该时间段内没有记录'));
    } catch (e) {
      list.replaceChildren(h('div', { class: 'gc-form-error' }, errorMessage(e)));
    }
  }

  return { el, load };
}
