// 按地址查找: a search box over the district's own gazetteer (GET /api/geocode — OSM addresses and
// names, roads, communities), candidates best first with how they matched; a click chooses one.
// Used by 定位落图 and by the 热线受理 form.
import type { GeocodeCandidate, GeocodePrecision } from '../../../../core/geocode.js';
import { api, ApiError } from '../../api/http.js';
import { h } from '../../shell/dom.js';
import { refusalMessage } from '../../ui/cases/model.js';

export const PRECISION_NAMES: Record<GeocodePrecision, string> = {
  address: '门牌', poi: '地名', near_address: '邻近门牌', road: '道路', community: '社区',
};

export interface GazetteerSearch {
  /** The search row (box + button) and the candidate list, to place in a form. */
  row: HTMLElement;
  list: HTMLElement;
  input: HTMLInputElement;
  /** Search now for the box's text; resolves with the certain candidate, if any. */
  find: () => Promise<GeocodeCandidate | null>;
}

export function gazetteerSearch(initial: string, onChoose: (c: GeocodeCandidate) => void): GazetteerSearch {
  const input = h('input', { type: 'search', class: 'gd-locate-q', 'data-locate-q': '', maxlength: 500,
    placeholder: '输入地址或地名，如：中山东一路20号', value: initial }) as HTMLInputElement;
  const btn = h('button', { type: 'button', class: 'gw-btn gd-locate-find', 'data-locate-find': '' }, '按地址查找') as HTMLButtonElement;
  const list = h('ol', { class: 'gd-locate-found', 'data-locate-found': '' });
  const find = async (): Promise<GeocodeCandidate | null> => {
    const text = input.value.trim();
    if (!text) return null;
    btn.disabled = true;
    list.replaceChildren(h('li', { class: 'gd-sub' }, '查找中…'));
    try {
      const r = await api.geocode(text);
      const isCertain = (k: GeocodeCandidate) => !!r.certain && r.certain.kind === k.kind && r.certain.id === k.id;
      list.replaceChildren(...(r.candidates.length ? r.candidates.map((k) => {
        const b = h('button', { type: 'button', class: 'gd-locate-cand', 'data-precision': k.precision, 'data-certain': String(isCertain(k)) },
          h('b', {}, k.label), ` ${PRECISION_NAMES[k.precision]} · 匹配度 ${k.score}${isCertain(k) ? ' · 确定' : ''}`);
        b.addEventListener('click', () => onChoose(k));
        return h('li', {}, b);
      }) : [h('li', { class: 'gd-sub' }, '本区数据中没有找到这个地址，请在地图上点选')]),
      h('li', { class: 'gd-sub gd-attr' }, r.attribution));
      return r.certain;
    } catch (e) {
      list.replaceChildren(h('li', { class: 'gw-act-error' }, e instanceof ApiError ? refusalMessage(e.code, e.message) : String(e)));
      return null;
    } finally {
      btn.disabled = false;
    }
  };
  btn.addEventListener('click', () => void find());
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      void find();
    }
  });
  return { row: h('div', { class: 'gd-locate-row' }, input, btn), list, input, find };
}
