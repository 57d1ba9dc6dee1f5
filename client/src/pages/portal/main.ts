// Portal (index.html): links to the 2D and 3D pages, system status, district overview.
import '../../styles/app.css';
import { api, isAuthError } from '../../api/http.js';
import { loginUrl } from '../../shell/auth.js';
import { mountHeader } from '../../shell/header.js';
import { divisionOverview, type OverviewLevel } from './tree.js';
import { pagesFor } from '../../shell/nav.js';
import type { Role } from '../../../../core/permissions.js';
import { $, fmtInt, h } from '../../shell/dom.js';
import { DB_NAMES } from '../../shell/labels.js';

const header = mountHeader('home');

const LEVEL_NAMES: Record<OverviewLevel, string> = { subdistrict: '街道', community: '社区' };

async function main() {
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
    const rows = o.rows.map((r) =>
      h('li', { class: r.depth > 0 ? 'c' : null }, h('span', { class: 'lvl' }, LEVEL_NAMES[r.level]), r.name,
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
