// 预警 on the dispatch desk: the trend early-warnings of the jurisdiction (a category rising, cases
// repeated at one place, a grid's on-time rate dropping), each with its evidence (the test and
// its p-value, the counts), live over the page's socket (warnings:diff); 确认, 指派 and 关闭 for
// the roles that may act, 立即扫描 for those that may run a scan.
import type { GcSocket } from '../../api/socket.js';
import { api, ApiError } from '../../api/http.js';
import { applyDiff } from '../../../../core/diff.js';
import { can, type Role } from '../../../../core/permissions.js';
import { assigneeCovers } from '../../../../core/trend/assign.js';
import type { ClusterEvidence } from '../../../../core/trend/cluster.js';
import { WARNING_STATUS_NAMES, type ScanResult, type WarningList, type WarningView } from '../../../../core/trend/contract.js';
import type { OnTimeEvidence } from '../../../../core/trend/on-time.js';
import type { RisingEvidence } from '../../../../core/trend/rising.js';
import { WARNING_KIND_NAMES } from '../../../../core/trend/thresholds.js';
import { fmtTime, h } from '../../shell/dom.js';
import './warnings.css';

interface Assignee { id: number; name: string; role: string; divisionCode: string | null; gridId: number | null; gridCommunityCode: string | null }

const pText = (p: number) => (p < 1e-4 ? p.toExponential(1) : p.toFixed(4));
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The evidence in one or two lines: what was counted and the test that says it is not chance. */
export function evidenceText(w: WarningView): string {
  switch (w.kind) {
    case 'rising': {
      const e = w.evidence as RisingEvidence;
      return `近7天 ${e.current} 件，前 ${e.baselineWeeks} 周同期周均 ${e.baselineMean.toFixed(1)} 件；检验：${e.test}，p = ${pText(e.pValue)}（阈值 ${pText(e.adjustedAlpha)}，共 ${e.tests} 项）`;
    }
    case 'cluster': {
      const e = w.evidence as ClusterEvidence;
      return `${e.days} 天内 ${e.count} 件相距不超过 ${e.radiusM} 米（案件 ${e.caseIds.map((id) => `#${id}`).join('、')}）；规则：${e.test}`;
    }
    case 'on_time_drop': {
      const e = w.evidence as OnTimeEvidence;
      return `近期按期 ${e.current.onTime}/${e.current.total}（${pct(e.current.rate)}），基线 ${e.baseline.onTime}/${e.baseline.total}（${pct(e.baseline.rate)}）；检验：${e.test}，p = ${pText(e.pValue)}`;
    }
  }
}

export interface WarningsPanel {
  /** How many warnings are active. */
  count(): number;
}

export function mountWarnings(o: { anchor: HTMLElement; socket: GcSocket; role: Role; toast: (m: string, tone?: 'ok' | 'warn' | 'bad') => void }): WarningsPanel | null {
  if (!can(o.role, 'read', 'warning')) return null;
  const mayAct = can(o.role, 'update', 'warning');
  const mayScan = can(o.role, 'create', 'warning');
  let warnings = new Map<number, WarningView>();
  let assignees: Assignee[] = [];
  let open = false;

  const badge = h('span', { class: 'gd-warn-n', id: 'warnings-count' }, '0');
  const toggle = h('button', { type: 'button', class: 'gd-warn-toggle', id: 'warnings-toggle', 'aria-expanded': 'false' }, '预警 ', badge);
  const scan = h('button', { type: 'button', class: 'gw-btn', id: 'warnings-scan', hidden: !mayScan }, '立即扫描');
  const list = h('ul', { class: 'gd-warn-list', id: 'warnings-list', 'aria-live': 'polite' });
  const panel = h('section', { class: 'gd-warn', id: 'warnings', 'aria-label': '趋势预警' },
    h('div', { class: 'gd-warn-h' }, toggle, scan), list);
  list.hidden = true;
  o.anchor.after(panel);

  const setOpen = (v: boolean) => {
    open = v;
    list.hidden = !v;
    toggle.setAttribute('aria-expanded', String(v));
  };
  toggle.addEventListener('click', () => setOpen(!open));

  const act = async (w: WarningView, action: 'acknowledge' | 'assign' | 'close', body: object = {}) => {
    try {
      const next = await api.send<WarningView>('POST', `/api/warnings/${w.id}/${action}`, body);
      warnings = applyDiff(warnings, action === 'close' ? { add: [], update: [], remove: [w.id] } : { add: [], update: [next], remove: [] }, (x) => x.id);
      paint();
      o.toast(action === 'acknowledge' ? '预警已确认' : action === 'assign' ? `已指派给 ${next.assignedTo?.name ?? ''}` : '预警已关闭');
    } catch (e) {
      o.toast(e instanceof ApiError ? e.message : String(e), 'bad');
    }
  };

  function item(w: WarningView): HTMLLIElement {
    const li = h('li', { class: 'gd-warn-item', 'data-id': w.id, 'data-kind': w.kind, 'data-status': w.status },
      h('div', { class: 'gd-warn-top' },
        h('span', { class: `gd-warn-kind k-${w.kind}` }, WARNING_KIND_NAMES[w.kind]),
        h('span', { class: `gd-warn-status s-${w.status}` }, WARNING_STATUS_NAMES[w.status]),
        w.synthetic ? h('span', { class: 'gd-warn-syn', title: '由合成数据得出' }, '合成数据') : null,
        h('time', { class: 'gd-warn-time', datetime: w.detectedAt }, fmtTime(w.detectedAt))),
      h('div', { class: 'gd-warn-title' }, w.title),
      h('div', { class: 'gd-warn-ev' }, evidenceText(w)),
      w.assignedTo ? h('div', { class: 'gd-warn-who', 'data-assignee': w.assignedTo.id }, `指派：${w.assignedTo.name}（${w.assignedBy ?? ''}）`) : null,
      w.acknowledgedBy ? h('div', { class: 'gd-warn-who' }, `确认：${w.acknowledgedBy}`) : null);
    if (mayAct) {
      const tools = h('div', { class: 'gd-warn-tools' });
      if (w.status === 'open') {
        const ack = h('button', { type: 'button', class: 'gw-btn', 'data-act': 'acknowledge' }, '确认');
        ack.addEventListener('click', () => void act(w, 'acknowledge'));
        tools.append(ack);
      }
      const sel = h('select', { 'data-act': 'assignee', 'aria-label': '指派给' },
        h('option', { value: '' }, '指派给…'),
        // Only accounts whose jurisdiction covers the warning (the server refuses others: assignee_outside_area).
        ...assignees.filter((a) => assigneeCovers(w, a)).map((a) => h('option', { value: a.id, selected: w.assignedTo?.id === a.id }, a.name)));
      const assign = h('button', { type: 'button', class: 'gw-btn primary', 'data-act': 'assign' }, '指派');
      assign.addEventListener('click', () => {
        const id = Number(sel.value);
        if (!id) { o.toast('请选择指派对象', 'warn'); return; }
        void act(w, 'assign', { accountId: id });
      });
      const close = h('button', { type: 'button', class: 'gw-btn', 'data-act': 'close' }, '关闭');
      close.addEventListener('click', () => void act(w, 'close'));
      tools.append(sel, assign, close);
      li.append(tools);
    }
    return li;
  }

  function paint(): void {
    const rows = [...warnings.values()].filter((w) => w.status !== 'closed')
      .sort((a, b) => (a.status === 'open' ? 0 : 1) - (b.status === 'open' ? 0 : 1) || b.detectedAt.localeCompare(a.detectedAt) || b.id - a.id);
    badge.textContent = String(rows.length);
    panel.dataset.count = String(rows.length);
    panel.classList.toggle('has-open', rows.some((w) => w.status === 'open'));
    list.replaceChildren(...(rows.length ? rows.map(item) : [h('li', { class: 'gd-warn-empty' }, '暂无预警')]));
  }

  const load = async () => {
    const r = await api.request<WarningList>('/api/warnings?status=active');
    warnings = new Map(r.warnings.map((w) => [w.id, w]));
    paint();
  };
  scan.addEventListener('click', async () => {
    scan.classList.add('busy');
    try {
      const r = await api.send<ScanResult>('POST', '/api/warnings/scan', {});
      await load();
      o.toast(r.skipped ? '另一扫描正在进行' : `扫描完成：新增 ${r.added}，更新 ${r.updated}`);
      if (warnings.size) setOpen(true);
    } catch (e) {
      o.toast(e instanceof ApiError ? e.message : String(e), 'bad');
    } finally {
      scan.classList.remove('busy');
    }
  });
  o.socket.on('warnings:diff', (diff) => {
    warnings = applyDiff(warnings, diff, (w) => w.id);
    paint();
  });
  // After a reconnect, what changed meanwhile.
  o.socket.on('connect', () => { void load().catch(() => undefined); });
  if (mayAct) void api.request<{ accounts: Assignee[] }>('/api/warnings/assignees').then((r) => { assignees = r.accounts; paint(); }).catch(() => undefined);
  void load().catch((e) => o.toast(`预警加载失败：${(e as Error).message}`, 'bad'));
  paint();
  return { count: () => [...warnings.values()].filter((w) => w.status !== 'closed').length };
}
