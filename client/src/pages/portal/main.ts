// Portal (index.html): links to the 2D and 3D pages, system status, district overview.
import '../../styles/app.css';
import { api, isAuthError } from '../../api/http.js';
import { loginUrl } from '../../shell/auth.js';
import { mountHeader } from '../../shell/header.js';
import { divisionOverview, gridRows, type OverviewLevel, type OverviewRow } from './tree.js';
import './portal.css';
import { pagesFor } from '../../shell/nav.js';
import type { Role } from '../../../../core/permissions.js';
import type { BBox } from '../../api/http.js';
import { $, fmtInt, h } from '../../shell/dom.js';
import { DB_NAMES } from '../../shell/labels.js';

const header = mountHeader('home');

const LEVEL_NAMES: Record<OverviewLevel, string> = { subdistrict: '街道', community: '社区' };

/** A community row opens on its grids (asked for once, when first opened); each grid links to its card on /map. */
function communityRow(r: OverviewRow, bbox: BBox | null): HTMLElement {
  const list = h('ul', { class: 'gc-tree-grids', hidden: true });
  const toggle = h('button', { type: 'button', class: 'gc-tree-toggle', 'aria-expanded': 'false', title: '展开网格' }, '▸');
  let loaded = false;
  const li = h('li', { class: r.depth > 0 ? 'c community' : 'community', 'data-community': r.code },
    h('div', { class: 'gc-tree-row' }, toggle, h('span', { class: 'lvl' }, LEVEL_NAMES[r.level]), r.name,
      h('span', { class: 'n' }, `${fmtInt(r.gridCount)} 网格 · ${fmtInt(r.households)} 户`)),
    list);
  toggle.addEventListener('click', () => {
    const open = list.hidden;
    list.hidden = !open;
    toggle.textContent = open ? '▾' : '▸';
    toggle.setAttribute('aria-expanded', String(open));
    if (!open || loaded || !bbox) return;
    loaded = true;
    list.replaceChildren(h('li', { class: 'g' }, '加载中…'));
    api.grids(bbox, r.code).then(
      (fc) => {
        const rows = gridRows(fc);
        list.replaceChildren(...(rows.length
          ? rows.map((g) => h('li', { class: 'g', 'data-grid-id': String(g.id) }, h('span', { class: 'lvl' }, '网格'),
              h('a', { href: `/map.html?grid=${g.id}`, title: g.fullName }, g.name), h('span', { class: 'n' }, `${fmtInt(g.households)} 户`)))
          : [h('li', { class: 'g' }, '暂无网格')]));
      },
      (e) => {
        loaded = false;
        list.replaceChildren(h('li', { class: 'g' }, `加载失败：${(e as Error).message}`));
      },
    );
  });
  return li;
}

async function main() {
  let bbox: BBox | null = null;
  // Only the workbenches the signed-in role can open (the top bar does the same).
  void header.account.then((a) => {
    if (!a) return;
    const offered = new Set(pagesFor(a.role as Role).map((p) => p.id));
    for (const link of document.querySelectorAll<HTMLAnchorElement>('a[id^="link-"]')) {
      link.hidden = !offered.has(link.id.slice('link-'.length));
    }
  });
  header.health.then((hl) => {
    const svc = $('#st-service');
    if (hl) {
      svc.textContent = hl.status === 'ok' ? '正常运行' : hl.status;
      svc.className = hl.status === 'ok' ? 'ok' : 'bad';
      $('#st-db').textContent = `${DB_NAMES[hl.database] ?? hl.database}${hl.database === 'embedded' ? '（PGlite 嵌入式 PostgreSQL）' : ''}`;
      $('#st-postgis').textContent = hl.postgis;
    } else {
      svc.textContent = '无法连接服务器';
      svc.className = 'bad';
    }
  });

  try {
    const district = await api.district();
    header.setDistrict(district);
    bbox = district.bbox;
    $('#st-district').textContent = `${district.name}（${district.code}）`;
    $('#st-bbox').textContent = district.bbox.map((n) => n.toFixed(4)).join(', ');
    $('#st-attrib').textContent = district.attribution;
    const syn = district.synthetic;
    if (syn && (syn.grids || syn.households || syn.divisions || syn.incidents)) $('#synthetic-badge').hidden = false;
  } catch (e) {
    if (isAuthError(e)) $('#st-district').replaceChildren(h('a', { href: loginUrl() }, '登录后查看辖区信息'));
    else $('#st-district').textContent = `加载失败：${(e as Error).message}`;
  }

  try {
    const { tree } = await api.divisions();
    const o = divisionOverview(tree);
    const stat = (id: string, n: number | undefined) => {
      // A level above the account's jurisdiction (街道 for a community account) is not counted.
      $(id).parentElement!.hidden = n === undefined;
      $(id).textContent = fmtInt(n ?? 0);
    };
    stat('#stat-sub', o.counts.subdistrict);
    stat('#stat-comm', o.counts.community);
    stat('#stat-grids', o.gridCount);
    stat('#stat-hh', o.households);
    const rows = o.rows.map((r) => r.level === 'community'
      ? communityRow(r, bbox)
      : h('li', { class: r.depth > 0 ? 'c' : null }, h('span', { class: 'lvl' }, LEVEL_NAMES[r.level]), r.name,
        h('span', { class: 'n' }, `${fmtInt(r.gridCount)} 网格 · ${fmtInt(r.households)} 户`)),
    );
    $('#division-tree').replaceChildren(...(rows.length ? rows : [h('li', {}, '暂无区划数据')]));
  } catch (e) {
    $('#division-tree').replaceChildren(
      h('li', {}, isAuthError(e) ? h('a', { href: loginUrl() }, '登录后查看区划与网格') : `加载失败：${(e as Error).message}`),
    );
  }
}

void main();
