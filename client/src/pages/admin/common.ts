// Shared by the admin tabs: reference data (divisions, grids, departments), names of
// jurisdictions, the jurisdiction picker, tables and time formatting.
import type { DivisionLevel, DivisionNode } from '../../../../core/types.js';
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
  grids: Map<number, GridInfo>;
  gridList: GridInfo[];
  departments: DepartmentRow[];
}

const lastPart = (name: string) => {
  const parts = name.split(/[・·•]/).map((x) => x.trim()).filter(Boolean);
  return parts[parts.length - 1] ?? name;
};

export async function loadRefData(): Promise<RefData> {
  const [tree, grids, departments] = await Promise.all([
    api.divisions().then((r) => r.tree).catch(() => null as DivisionNode | null),
    api.allGrids().catch(() => ({ type: 'FeatureCollection' as const, features: [] })),
    api.departments().catch(() => [] as DepartmentRow[]),
  ]);
  const divisionList: DivisionInfo[] = [];
  const walk = (n: DivisionNode, depth: number) => {
    divisionList.push({ code: n.code, name: n.name, level: n.level, parentCode: n.parentCode, depth });
    for (const c of [...n.children].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))) walk(c, depth + 1);
  };
  if (tree) walk(tree, 0);
  const gridList: GridInfo[] = grids.features
    .map((f) => ({
      id: f.properties.id,
      code: f.properties.code,
      name: f.properties.name,
      short: lastPart(f.properties.name),
      communityCode: f.properties.communityCode,
      communityName: f.properties.communityName,
    }))
    .sort((a, b) => a.communityName.localeCompare(b.communityName, 'zh-CN') || a.code.localeCompare(b.code));
  return {
    divisions: new Map(divisionList.map((d) => [d.code, d])),
    divisionList,
    grids: new Map(gridList.map((g) => [g.id, g])),
    gridList,
    departments: [...departments].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')),
  };
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
  grid: '选择网格：网格员只能查看本网格',
  department: '选择职能部门：查看派给本部门的事件',
  any: '管理员不受辖区限制',
  kiosk: '大屏只显示所选辖区的数据',
};

/** A select of the jurisdictions that fit a role (with a filter box when the list is long). */
export function jurisdictionPicker(ref: RefData, kind: PickerKind, current?: Jurisdiction): Picker {
  const select = h('select', { name: 'jurisdiction', required: true, 'aria-label': '辖区' });
  const filter = h('input', { type: 'search', class: 'gc-picker-filter', placeholder: '输入名称筛选…', 'aria-label': '筛选辖区' });
  const hint = h('small', {});
  const el = h('div', { class: 'gc-picker' }, filter, select, hint);

  const opt = (value: string, label: string) => h('option', { value }, label);
  const group = (label: string, options: HTMLOptionElement[]) => {
    const g = h('optgroup', { label });
    g.append(...options);
    return g;
  };
  const byLevel = (lvl: DivisionLevel) => ref.divisionList.filter((d) => d.level === lvl);
  const gridGroups = () => {
    const groups = new Map<string, GridInfo[]>();
    for (const g of ref.gridList) groups.set(g.communityCode, [...(groups.get(g.communityCode) ?? []), g]);
    return [...groups.entries()].map(([code, gs]) => {
      const c = ref.divisions.get(code);
      const parent = c?.parentCode ? ref.divisions.get(c.parentCode) : undefined;
      return group(`${parent ? `${parent.name} · ` : ''}${gs[0]!.communityName}`, gs.map((g) => opt(`g:${g.id}`, `${g.short}（${g.code}）`)));
    });
  };

  function set(k: PickerKind, cur?: Jurisdiction) {
    const keep = cur ? encode(cur) : select.value;
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
        children.push(...gridGroups());
        break;
      case 'department':
        children.push(...ref.departments.map((d) => opt(`p:${d.id}`, d.name)));
        break;
      case 'any':
        children.push(opt('none', '不限（全区）'));
        break;
      case 'kiosk':
        children.push(group('区划', ref.divisionList.map((d) => opt(`d:${d.code}`, `${'\u3000'.repeat(d.depth)}${d.name}（${LEVEL_ZH[d.level]}）`))));
        children.push(...gridGroups());
        break;
    }
    const placeholder = h('option', { value: '', disabled: true }, children.length ? '请选择…' : '（无可选项）');
    select.replaceChildren(placeholder, ...children);
    const values = [...select.options].map((o) => o.value);
    select.value = values.includes(keep) && keep ? keep : k === 'any' || k === 'district' || k === 'kiosk' ? (values[1] ?? '') : '';
    const count = select.options.length - 1;
    filter.value = '';
    filter.hidden = count <= 12;
    hint.textContent = PICKER_HINT[k];
  }

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
