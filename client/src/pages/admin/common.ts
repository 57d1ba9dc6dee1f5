// Shared by the admin tabs: reference data (divisions, departments; grids one community at a time),
// names of jurisdictions, the jurisdiction picker, tables and time formatting.
import type { DivisionLevel, DivisionNode, GridCollection } from '../../../../core/types.js';
import { ROLE_BINDING, ROLES, type Role } from '../../../../core/permissions.js';
import { api, type DepartmentRow, type Jurisdiction } from '../../api/http.js';
import { h } from '../../shell/dom.js';

export const roleName = (r: string) => (ROLES as Record<string, string>)[r] ?? r;
export const LEVEL_ZH: Record<DivisionLevel, string> = { district: '区', subdistrict: '街道', community: '社区' };

export interface DivisionInfo {
  code: string;
  name: string;
  level: DivisionLevel;
  parentCode: string | null;
  depth: number;
}
export interface GridInfo {
  id: number;
  code: string;
  name: string;
  short: string;
  communityCode: string;
  communityName: string;
}
export interface RefData {
  divisions: Map<string, DivisionInfo>;
  /** Tree order (district, its subdistricts, their communities). */
  divisionList: DivisionInfo[];
  /** Grids seen so far (loaded per community by the pickers). */
  grids: Map<number, GridInfo>;
  departments: DepartmentRow[];
}

const lastPart = (name: string) => {
  const parts = name.split(/[・·•]/).map((x) => x.trim()).filter(Boolean);
  return parts[parts.length - 1] ?? name;
};

export async function loadRefData(): Promise<RefData> {
  // No grid list here: a city has tens of thousands of grids. The pickers load one community's
  // grids when it is chosen (GET /api/grids?division=<community>), and labels use the names the
  // account and token lists carry.
  const [tree, departments] = await Promise.all([
    api.divisions().then((r) => r.tree).catch(() => null as DivisionNode | null),
    api.departments().catch(() => [] as DepartmentRow[]),
  ]);
  const divisionList: DivisionInfo[] = [];
  const walk = (n: DivisionNode, depth: number) => {
    divisionList.push({ code: n.code, name: n.name, level: n.level, parentCode: n.parentCode, depth });
    for (const c of [...n.children].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))) walk(c, depth + 1);
  };
  if (tree) walk(tree, 0);
  return {
    divisions: new Map(divisionList.map((d) => [d.code, d])),
    divisionList,
    grids: new Map(),
    departments: [...departments].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')),
  };
}

/** A community to choose (the desk and 一年一事 tabs): "外滩街道 · 河南南路社区". */
export interface CommunityRef { code: string; label: string }
export function communitiesOf(divisionList: readonly DivisionInfo[]): CommunityRef[] {
  const byCode = new Map(divisionList.map((d) => [d.code, d]));
  return divisionList.filter((d) => d.level === 'community').map((c) => {
    const parent = c.parentCode ? byCode.get(c.parentCode) : undefined;
    return { code: c.code, label: parent && parent.level === 'subdistrict' ? `${parent.name} · ${c.name}` : c.name };
  });
}

/** The grids of one community (bounded: one community's, never a city's), cached in ref.grids. */
export async function gridsOf(ref: RefData, communityCode: string): Promise<GridInfo[]> {
  const fc = await api.request<GridCollection>(`/api/grids?division=${encodeURIComponent(communityCode)}&limit=2000`);
  const out = fc.features.map((f) => ({
    id: f.properties.id, code: f.properties.code, name: f.properties.name, short: lastPart(f.properties.name),
    communityCode: f.properties.communityCode, communityName: f.properties.communityName,
  })).sort((a, b) => a.code.localeCompare(b.code));
  for (const g of out) ref.grids.set(g.id, g);
  return out;
}

/** The community a grid belongs to (cached, else GET /api/grids/:id). */
async function communityOfGrid(ref: RefData, gridId: number): Promise<string | null> {
  const known = ref.grids.get(gridId);
  if (known) return known.communityCode;
  const f = await api.grid(gridId).catch(() => null);
  return f ? f.properties.communityCode : null;
}

/** "外滩街道（街道）", "河南南路社区 · 第04网格", "城管执法局"; '全区（不限）' without a binding. */
export function jurisdictionLabel(ref: RefData, j: { division_code?: string | null; grid_id?: number | null; department_id?: number | null }, names: { division?: string | null; grid?: string | null; department?: string | null } = {}): string {
  if (j.grid_id != null) {
    const g = ref.grids.get(j.grid_id);
    return g ? `${g.communityName} · ${g.short}` : names.grid ?? `网格 #${j.grid_id}`;
  }
  if (j.department_id != null) {
    return ref.departments.find((d) => d.id === j.department_id)?.name ?? names.department ?? `部门 #${j.department_id}`;
  }
  if (j.division_code != null) {
    const d = ref.divisions.get(j.division_code);
    return d ? `${d.name}（${LEVEL_ZH[d.level]}）` : names.division ?? j.division_code;
  }
  return '全区（不限）';
}

export type PickerKind = (typeof ROLE_BINDING)[Role] | 'kiosk';

export interface Picker {
  el: HTMLElement;
  select: HTMLSelectElement;
  /** The chosen jurisdiction; {} for "不限"; null when nothing valid is chosen. */
  value(): Jurisdiction | null;
  set(kind: PickerKind, current?: Jurisdiction): void;
}

const encode = (j: Jurisdiction | undefined): string =>
  j?.gridId != null ? `g:${j.gridId}` : j?.departmentId != null ? `p:${j.departmentId}` : j?.divisionCode ? `d:${j.divisionCode}` : '';

function decode(v: string): Jurisdiction | null {
  if (v === 'none') return {};
  const [k, rest] = [v.slice(0, 2), v.slice(2)];
  if (k === 'd:' && rest) return { divisionCode: rest };
  if (k === 'g:' && rest) return { gridId: Number(rest) };
  if (k === 'p:' && rest) return { departmentId: Number(rest) };
  return null;
}

const PICKER_HINT: Record<PickerKind, string> = {
  district: '区级账号：查看全区',
  subdistrict: '选择街道：可查看该街道及下属社区、网格',
  community: '选择社区：可查看该社区及下属网格',
  grid: '先选社区，再选网格：网格员只能查看本网格',
  department: '选择职能部门：查看派给本部门的事件',
  any: '管理员不受辖区限制',
  kiosk: '大屏只显示所选辖区的数据（选社区后也可选其网格）',
};

/**
 * A select of the jurisdictions that fit a role (with a filter box when the list is long). Grids
 * are chosen in two steps: a community first (its select, name "grid-community"), then one of its
 * grids, loaded for that community only; a kiosk may take a division or a grid of that community.
 */
export function jurisdictionPicker(ref: RefData, kind: PickerKind, current?: Jurisdiction): Picker {
  const select = h('select', { name: 'jurisdiction', required: true, 'aria-label': '辖区' });
  const filter = h('input', { type: 'search', class: 'gc-picker-filter', placeholder: '输入名称筛选…', 'aria-label': '筛选辖区' });
  const communities = communitiesOf(ref.divisionList);
  const community = h('select', { name: 'grid-community', 'aria-label': '网格所在社区' },
    ...communities.map((c) => h('option', { value: c.code }, c.label)));
  const hint = h('small', {});
  const el = h('div', { class: 'gc-picker' }, filter, community, select, hint);
  let kindNow: PickerKind = kind;
  let grids: GridInfo[] = [];
  let seq = 0;

  const opt = (value: string, label: string) => h('option', { value }, label);
  const group = (label: string, options: HTMLOptionElement[]) => {
    const g = h('optgroup', { label });
    g.append(...options);
    return g;
  };
  const byLevel = (lvl: DivisionLevel) => ref.divisionList.filter((d) => d.level === lvl);
  const gridGroup = () => {
    if (!grids.length) return [];
    const c = communities.find((x) => x.code === community.value);
    return [group(`${c?.label ?? community.value} 的网格`, grids.map((g) => opt(`g:${g.id}`, `${g.short}（${g.code}）`)))];
  };

  function fill(k: PickerKind, keep: string) {
    const children: (HTMLOptionElement | HTMLOptGroupElement)[] = [];
    switch (k) {
      case 'district':
        children.push(...byLevel('district').map((d) => opt(`d:${d.code}`, d.name)));
        break;
      case 'subdistrict':
        children.push(...byLevel('subdistrict').map((d) => opt(`d:${d.code}`, d.name)));
        break;
      case 'community':
        for (const s of byLevel('subdistrict')) {
          const cs = ref.divisionList.filter((d) => d.level === 'community' && d.parentCode === s.code);
          if (cs.length) children.push(group(s.name, cs.map((c) => opt(`d:${c.code}`, c.name))));
        }
        break;
      case 'grid':
        children.push(...gridGroup());
        break;
      case 'department':
        children.push(...ref.departments.map((d) => opt(`p:${d.id}`, d.name)));
        break;
      case 'any':
        children.push(opt('none', '不限（全区）'));
        break;
      case 'kiosk':
        children.push(group('区划', ref.divisionList.map((d) => opt(`d:${d.code}`, `${'\u3000'.repeat(d.depth)}${d.name}（${LEVEL_ZH[d.level]}）`))));
        children.push(...gridGroup());
        break;
    }
    const placeholder = h('option', { value: '', disabled: true }, children.length ? '请选择…' : k === 'grid' ? '（先选择社区）' : '（无可选项）');
    select.replaceChildren(placeholder, ...children);
    const values = [...select.options].map((o) => o.value);
    select.value = values.includes(keep) && keep ? keep : k === 'any' || k === 'district' || k === 'kiosk' ? (values[1] ?? '') : '';
    const count = select.options.length - 1;
    filter.value = '';
    filter.hidden = count <= 12;
  }

  /** Load the chosen community's grids (the last request wins), then refill keeping `keep`. */
  async function loadGrids(keep: string) {
    const mine = ++seq;
    // The previous community's grids go at once: none of them may be chosen while this one loads.
    grids = [];
    fill(kindNow, keep);
    if (!community.value) return;
    select.disabled = true;
    try {
      const gs = await gridsOf(ref, community.value);
      if (mine !== seq) return;
      grids = gs;
    } catch {
      if (mine !== seq) return;
      grids = [];
    } finally {
      if (mine === seq) select.disabled = false;
    }
    fill(kindNow, keep || select.value);
  }

  function set(k: PickerKind, cur?: Jurisdiction) {
    const keep = cur ? encode(cur) : select.value;
    kindNow = k;
    const twoStep = k === 'grid' || k === 'kiosk';
    community.hidden = !twoStep;
    hint.textContent = PICKER_HINT[k];
    fill(k, keep);
    if (!twoStep) return;
    const gridId = cur?.gridId ?? null;
    if (gridId != null) {
      // The account's grid: open its community first.
      void communityOfGrid(ref, gridId).then((code) => {
        if (code) community.value = code;
        return loadGrids(keep);
      });
    } else {
      void loadGrids(keep);
    }
  }

  community.addEventListener('change', () => void loadGrids(''));
  filter.addEventListener('input', () => {
    const q = filter.value.trim().toLowerCase();
    let first: HTMLOptionElement | null = null;
    for (const o of select.options) {
      if (!o.value) continue;
      const groupLabel = (o.parentElement as HTMLOptGroupElement | null)?.label ?? '';
      const hit = !q || `${groupLabel} ${o.textContent}`.toLowerCase().includes(q);
      o.hidden = !hit;
      if (hit && !first) first = o;
    }
    const chosen = select.selectedOptions[0];
    if ((!chosen || chosen.hidden || !chosen.value) && first) select.value = first.value;
  });

  set(kind, current);
  return { el, select, value: () => decode(select.value), set };
}

// ---- tables & formatting ----

export function table(cls: string, head: string[], rows: HTMLElement[], empty: string): HTMLElement {
  return h(
    'div',
    { class: 'gc-table-wrap' },
    h(
      'table',
      { class: `gc-table ${cls}` },
      h('thead', {}, h('tr', {}, ...head.map((t) => h('th', {}, t)))),
      h('tbody', {}, ...(rows.length ? rows : [h('tr', { class: 'empty' }, h('td', { colspan: head.length }, empty))])),
    ),
  );
}

const dtf = new Intl.DateTimeFormat('zh-CN', {
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
});
/** "2025/03/04 14:03:22" (local time), '—' for nothing. */
export function fmtDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : dtf.format(d);
}

export function pill(text: string, kind: 'ok' | 'off' | 'warn' | 'bad' | 'info' = 'info'): HTMLElement {
  return h('span', { class: `gc-pill ${kind}` }, text);
}

export function actionButton(label: string, onClick: () => void, opts: { danger?: boolean; action?: string } = {}): HTMLButtonElement {
  const b = h('button', { type: 'button', class: `gc-link-btn${opts.danger ? ' danger' : ''}`, 'data-action': opts.action ?? null }, label);
  b.addEventListener('click', onClick);
  return b;
}
