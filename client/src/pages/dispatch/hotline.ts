// 热线受理: the 12345/8890 operator's form on the desk. Caller (kept apart from the case, shown
// masked), category, what they report, and where: an address (the district gazetteer places it,
// or the operator picks a candidate) and/or a point clicked on the map. One client key per form,
// so a retry after a lost answer is the same case. A call the gazetteer cannot place and that has
// no point goes to the district desk (未定位), never lost.
import type { GeocodeCandidate } from '../../../../core/geocode.js';
import type { IncidentCategory } from '../../../../core/types.js';
import { newClientKey } from '../../api/client-key.js';
import { api, ApiError } from '../../api/http.js';
import { h } from '../../shell/dom.js';
import { refusalMessage, type CaseItem } from '../../ui/cases/model.js';
import type { LocateHooks } from './detail.js';
import { gazetteerSearch, PRECISION_NAMES } from './gazetteer.js';

export interface HotlineOptions {
  categories: IncidentCategory[];
  locate: LocateHooks;
  onClose: () => void;
  /** The stored case, and what to say. */
  onCreated: (c: CaseItem, message: string, tone: 'ok' | 'warn') => void;
}

/** One key per form: a retry after a lost answer is the same case. */
export const hotlineKey = (): string => newClientKey('hl');

const fmtLonLat = ([lon, lat]: [number, number]) => `${lon.toFixed(5)}, ${lat.toFixed(5)}`;

/** zh-CN for intake refusals. */
function intakeRefusal(e: ApiError): string {
  const zh: Record<string, string> = {
    forbidden: '该位置不在您的辖区，不能受理',
    outside_district: '该位置不在本区范围内',
    unknown_category: '未知的问题类别',
    invalid_crs: '坐标无效（须为经纬度）',
    client_key_conflict: '本表单已提交过不同内容，请新建受理单',
  };
  return zh[e.code] ? `${zh[e.code]}（服务器：${e.message}）` : refusalMessage(e.code, e.message);
}

export function renderHotlineForm(root: HTMLElement, o: HotlineOptions): void {
  let key = hotlineKey();
  let point: [number, number] | null = null;
  const field = (label: string, control: HTMLElement) => h('label', { class: 'gd-f' }, h('span', {}, label), control);
  const line = h('select', { name: 'source', 'data-hl-source': '' },
    h('option', { value: 'hotline_12345' }, '12345 政务服务便民热线'),
    h('option', { value: 'hotline_8890' }, '8890 市民服务热线')) as HTMLSelectElement;
  const name = h('input', { name: 'name', maxlength: 64, placeholder: '如：王女士', 'data-hl-name': '' }) as HTMLInputElement;
  const phone = h('input', { name: 'phone', type: 'tel', maxlength: 32, placeholder: '来电号码', 'data-hl-phone': '' }) as HTMLInputElement;
  const category = h('select', { name: 'category', 'data-hl-category': '' },
    ...o.categories.map((c) => h('option', { value: c.code }, c.name))) as HTMLSelectElement;
  const description = h('textarea', { name: 'description', rows: 3, maxlength: 2000, placeholder: '来电反映的问题', 'data-hl-description': '' }) as HTMLTextAreaElement;
  const where = h('div', { class: 'gd-locate-chosen', 'data-hl-where': '' }, '未选位置：将按地址自动定位，无法定位的转区指挥中心');
  const err = h('div', { class: 'gw-act-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'gw-btn primary', 'data-hl-submit': '' }, '受理并派单') as HTMLButtonElement;
  const pickBtn = h('button', { type: 'button', class: 'gw-btn gd-locate-pick', 'data-hl-pick': '' }, '在地图上点选位置') as HTMLButtonElement;

  const setPoint = (p: [number, number] | null, text?: string) => {
    point = p;
    o.locate.show(p ? { lonLat: p, gridId: null, gridName: null } : null);
    where.dataset.gridId = '';
    if (!p) {
      where.textContent = '未选位置：将按地址自动定位，无法定位的转区指挥中心';
      return;
    }
    where.textContent = `${text ?? '地图点选'} → 正在查找所在网格… · ${fmtLonLat(p)}`;
    void o.locate.gridAt(p).then((g) => {
      if (point !== p) return; // another point was chosen meanwhile
      where.textContent = `${text ?? '地图点选'} → ${g?.name ?? '不在任何网格内（将落到所在社区或街道）'} · ${fmtLonLat(p)}`;
      where.dataset.gridId = g ? String(g.id) : '';
    });
  };
  const search = gazetteerSearch('', (k: GeocodeCandidate) => setPoint([k.lon, k.lat], `地址匹配：${k.label}（${PRECISION_NAMES[k.precision]}）`));
  search.input.name = 'address';
  search.input.setAttribute('data-hl-address', '');
  // A new address means the old pick may no longer fit it.
  search.input.addEventListener('input', () => { if (point) setPoint(null); });
  const stopPick = () => {
    o.locate.stopPick();
    pickBtn.classList.remove('on');
    pickBtn.textContent = '在地图上点选位置';
  };
  pickBtn.addEventListener('click', () => {
    if (pickBtn.classList.contains('on')) return stopPick();
    pickBtn.classList.add('on');
    pickBtn.textContent = '请在地图上点击事发位置…（再次点击取消）';
    o.locate.startPick((p) => {
      stopPick();
      if (p.lonLat) setPoint(p.lonLat);
    });
  });

  const form = h('form', { class: 'gd-hotline', 'data-hotline': '', novalidate: true },
    h('div', { class: 'gd-hl-head' }, h('h2', {}, '热线受理'), h('button', { type: 'button', class: 'gd-close', title: '关闭', 'aria-label': '关闭', 'data-hl-close': '' }, '×')),
    h('p', { class: 'gd-sub' }, '12345/8890 来电登记：来电人信息单独保存、列表中脱敏显示；有地址即可，能确定位置的自动落图派单。'),
    field('热线', line),
    h('div', { class: 'gd-f2' }, field('来电人', name), field('电话', phone)),
    field('问题类别', category),
    field('问题描述', description),
    h('div', { class: 'gd-f' }, h('span', {}, '事发地址'), search.row, search.list),
    h('div', { class: 'gd-locate-row' }, pickBtn),
    where, err, submit,
  ) as HTMLFormElement;
  form.querySelector('[data-hl-close]')!.addEventListener('click', () => {
    stopPick();
    o.locate.show(null);
    o.onClose();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.hidden = true;
    const address = search.input.value.trim();
    if (!point && !address) {
      err.textContent = '请填写事发地址，或在地图上点选位置';
      err.hidden = false;
      return;
    }
    const caller = { ...(name.value.trim() ? { name: name.value.trim() } : {}), ...(phone.value.trim() ? { phone: phone.value.trim() } : {}) };
    const body = {
      source: line.value, category: category.value, description: description.value.trim(), clientKey: key,
      ...(address ? { address } : {}), ...(point ? { lon: point[0], lat: point[1], crs: 'wgs84' } : {}),
      ...(Object.keys(caller).length ? { caller } : {}),
    };
    submit.disabled = true;
    submit.classList.add('busy');
    try {
      const c = await api.send<CaseItem>('POST', '/api/incidents', body);
      stopPick();
      o.locate.show(null);
      key = hotlineKey();
      o.onCreated(c, c.unlocated
        ? `#${c.id} 已受理：地址无法确定位置，已转区指挥中心定位（未定位）`
        : `#${c.id} 已受理：落图至${c.gridName ?? c.levelName}，派至${c.levelName}`, c.unlocated ? 'warn' : 'ok');
    } catch (x) {
      err.textContent = x instanceof ApiError ? intakeRefusal(x) : String(x);
      err.dataset.code = x instanceof ApiError ? x.code : '';
      err.hidden = false;
      // A lost answer keeps the key: submitting again is the same case, never a second one.
    } finally {
      submit.disabled = false;
      submit.classList.remove('busy');
    }
  });
  root.replaceChildren(form);
  name.focus();
}
