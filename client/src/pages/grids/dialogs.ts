// Dialogs of the grid editor: revision conflict, delete, publish (with the report of what moved),
// versions (view, compare, roll back), import (GeoJSON / Shapefile with a CRS) and export.
import type { MultiPolygon } from 'geojson';
import { DEFAULT_BAND, type Band, type Problem, type PublishResponse, type SetBandResponse, type VersionSummary } from '../../../../core/grid-edit/contract.js';
import { INPUT_CRS, type InputCrs } from '../../../../core/types.js';
import { authHeaders } from '../../api/http.js';
import { confirmDialog, field, openDialog } from '../../shell/dialog.js';
import { fmtInt, h } from '../../shell/dom.js';
import { gridApi } from './api.js';
import { neighboursBySharedLength, type EditorState } from './model.js';

const CRS_LABEL: Record<InputCrs, string> = {
  wgs84: 'WGS84（EPSG:4326，GPS）',
  cgcs2000: 'CGCS2000（EPSG:4490）',
  gcj02: 'GCJ-02（高德/腾讯）',
  bd09: 'BD-09（百度）',
};

const when = (iso: string) => new Date(iso).toLocaleString('zh-CN', { hour12: false });

/** A stale save/publish: says who saved when; resolves true to reload. */
export function conflictDialog(message: string): Promise<boolean> {
  return new Promise((resolve) => {
    let reload = false;
    openDialog({
      title: '草稿已被他人修改',
      id: 'ge-conflict',
      content: [
        h('p', { class: 'gc-dialog-text' }, message),
        h('p', { class: 'gc-dialog-hint' }, '重新加载会载入最新的草稿，你在此之后的修改将丢失（可先导出备份）。'),
      ],
      submitLabel: '重新加载',
      cancelLabel: '取消',
      onSubmit: () => {
        reload = true;
      },
      onClose: () => resolve(reload),
    });
  });
}

/**
 * 户数区间: the district's band for every community in it. `save` sends it (null = the default);
 * resolves with the server's answer, or null when cancelled.
 */
export function bandDialog(o: { district: string; band: Band; isDefault: boolean; save: (band: Band | null) => Promise<SetBandResponse> }): Promise<SetBandResponse | null> {
  return new Promise((resolve) => {
    let out: SetBandResponse | null = null;
    const num = (name: string, value: number) => h('input', { type: 'number', name, min: '1', max: '100000', step: '1', required: true, value: String(value), inputmode: 'numeric' }) as HTMLInputElement;
    const min = num('min', o.band.min), max = num('max', o.band.max);
    const reset = h('input', { type: 'checkbox', name: 'reset' }) as HTMLInputElement;
    openDialog({
      title: '设置户数区间',
      id: 'ge-band-dialog',
      lead: `${o.district}：每个网格的目标户数（全区各社区通用）${o.isDefault ? '，现为默认值' : ''}`,
      content: [
        field('下限（户）', min),
        field('上限（户）', max),
        h('label', { class: 'gc-check' }, reset, ` 恢复默认（${DEFAULT_BAND.min}–${DEFAULT_BAND.max} 户）`),
        h('p', { class: 'gc-dialog-hint' }, '区间用于网格着色、校验、自动划分和重新平衡；已发布的网格不会改变。'),
      ],
      submitLabel: '保存',
      onSubmit: async () => {
        if (reset.checked) { out = await o.save(null); return; }
        const a = Number(min.value), b = Number(max.value);
        if (!Number.isInteger(a) || !Number.isInteger(b) || a < 1 || b < 1) throw new Error('请输入正整数');
        if (a > b) throw new Error('下限不能大于上限');
        out = await o.save({ min: a, max: b });
      },
      onClose: () => resolve(out),
    });
  });
}

/** 删除: give the area to a neighbour (default: the one with the longest shared boundary) or leave a gap. */
export function deleteDialog(s: EditorState, key: string, name: string, households: number): Promise<{ giveTo: string | null } | null> {
  const nbs = neighboursBySharedLength(s, key);
  return new Promise((resolve) => {
    let choice: { giveTo: string | null } | null = null;
    const select = h('select', { name: 'giveTo' }, ...nbs.map((k) => h('option', { value: k }, s.meta.get(k)?.name ?? k)), h('option', { value: '' }, '不并入（留作空隙，需再绘制）'));
    openDialog({
      title: '删除网格',
      id: 'ge-delete',
      lead: `${name}（${fmtInt(households)} 户）`,
      content: [field('区域并入', select, nbs.length ? '默认并入公共边最长的相邻网格' : '没有相邻网格：删除后留下空隙')],
      submitLabel: '删除',
      danger: true,
      onSubmit: () => {
        choice = { giveTo: select.value || null };
      },
      onClose: () => resolve(choice),
    });
  });
}

/** 发布: a note, then the report of what moved. Resolves true once published. */
export function publishDialog(o: { problems: Problem[]; submit: (note: string) => Promise<PublishResponse | null>; nameOf?: (gridId: number) => string | undefined }): Promise<boolean> {
  const blocking = o.problems.filter((p) => p.code !== 'out_of_band');
  return new Promise((resolve) => {
    let result: PublishResponse | null = null;
    const note = h('textarea', { name: 'note', rows: 3, maxlength: 500, placeholder: '例如：按新建小区调整第03、04网格' });
    openDialog({
      title: '发布网格',
      id: 'ge-publish',
      lead: '发布后生成新版本；楼栋、户数、党组织、网格人员和未办结事件将归入新网格。',
      content: [
        blocking.length ? h('div', { class: 'gc-callout warn' }, `实时校验发现 ${blocking.length} 个问题，服务器将拒绝发布：${blocking[0]!.message}`) : null,
        field('发布说明', note),
      ],
      submitLabel: '发布',
      onSubmit: async () => {
        result = await o.submit(note.value.trim());
        return result ? undefined : false;
      },
      onClose: () => {
        if (result) publishReport(result, o.nameOf).then(() => resolve(true));
        else resolve(false);
      },
    });
  });
}

function publishReport(r: PublishResponse, nameOf: (gridId: number) => string | undefined = () => undefined): Promise<void> {
  const created = r.lineage.filter((l) => l.status === 'created');
  const retired = r.lineage.filter((l) => l.status === 'retired');
  const names = new Map(r.lineage.map((l) => [l.gridId, l.name]));
  const grid = (id: number) => {
    const n = names.get(id) ?? nameOf(id);
    return n ? (n.split(/[・·•]/).pop() ?? n).trim() : `网格 ${id}`;
  };
  const dialog = openDialog({
    title: `已发布版本 #${r.version.id}`,
    id: 'ge-publish-report',
    lead: when(r.version.publishedAt),
    cancelLabel: null,
    submitLabel: '完成',
    content: [
      h(
        'div',
        { class: 'ge-report' },
        h(
          'dl',
          {},
          h('dt', {}, '楼栋'), h('dd', { 'data-moved': 'buildings' }, `${fmtInt(r.moved.buildings)} 栋改变网格`),
          h('dt', {}, '户数'), h('dd', { 'data-moved': 'households' }, `${fmtInt(r.moved.households)} 户`),
          h('dt', {}, '党组织'), h('dd', {}, `${fmtInt(r.moved.partyOrgs)} 个`),
          h('dt', {}, '网格人员'), h('dd', {}, `${fmtInt(r.moved.staff)} 人`),
          h('dt', {}, '未办结事件'), h('dd', {}, `${fmtInt(r.moved.incidents)} 件`),
          h('dt', {}, '账号'), h('dd', {}, `${fmtInt(r.moved.accounts)} 个`),
        ),
        created.length || retired.length
          ? h(
              'ul',
              {},
              ...created.map((l) => h('li', { 'data-lineage': 'created' }, `新建 ${l.name}${l.splitFrom ? `（由${grid(l.splitFrom)}分出）` : ''}${l.mergedFrom.length ? `（合并自${l.mergedFrom.map(grid).join('、')}）` : ''}`)),
              ...retired.map((l) => h('li', { 'data-lineage': 'retired' }, `撤销 ${l.name}${l.successorId ? `（人员与组织转入${grid(l.successorId)}）` : ''}`)),
            )
          : null,
      ),
    ],
  });
  return dialog.closed;
}

/** A grid of a version (diff 'version') or of a comparison of two versions. */
export interface CompareGrid {
  id: number;
  name: string;
  households: number;
  /** For a changed grid: its households in the older version. */
  householdsBefore?: number;
  diff: 'added' | 'removed' | 'changed' | 'version';
  geometry: MultiPolygon;
}

/** What the page draws on the map (and lists beside it) after 查看 or 对比 in the versions dialog. */
export interface CompareOverlay {
  kind: 'compare' | 'version';
  title: string;
  summary: string;
  grids: CompareGrid[];
}

/**
 * 版本: list, view one, compare two, roll back. Viewing or comparing closes the dialog so the map
 * shows the result (the page lists it beside the map, with a way back to this list).
 */
export function versionsDialog(o: { versions: readonly VersionSummary[]; onShow: (c: CompareOverlay | null) => void; rollback: (id: number) => Promise<void> }): void {
  const picked = new Set<number>();
  const summary = h('div', { class: 'gc-dialog-hint', id: 'ge-compare-summary', role: 'status' });
  const compareBtn = h('button', { type: 'button', class: 'gc-btn small', id: 'ge-compare', disabled: true }, '在地图上对比所选两个版本');
  const rows = o.versions.map((v) => {
    const box = h('input', { type: 'checkbox', 'aria-label': `选择版本 ${v.id}` });
    box.addEventListener('change', () => {
      if (box.checked) picked.add(v.id);
      else picked.delete(v.id);
      compareBtn.disabled = picked.size !== 2;
      summary.textContent = picked.size > 2 ? '请只勾选两个版本' : '';
    });
    const show = h('button', { type: 'button', class: 'gc-link-btn', 'data-action': 'show' }, '查看');
    show.addEventListener('click', async () => {
      try {
        const r = await gridApi.version(v.id);
        o.onShow({
          kind: 'version',
          title: `版本 #${v.id}`,
          summary: `${when(r.publishedAt)} ${r.publishedBy} 发布${r.note ? `：${r.note}` : ''}；${r.grids.features.length} 个网格`,
          grids: r.grids.features.map((f) => ({ id: f.properties.id, name: f.properties.name, households: f.properties.households, diff: 'version', geometry: f.geometry })),
        });
        d.close();
      } catch (e) {
        summary.textContent = `查看失败：${(e as Error).message}`;
      }
    });
    const roll = h('button', { type: 'button', class: 'gc-link-btn danger', 'data-action': 'rollback' }, '回滚');
    roll.addEventListener('click', async () => {
      if (!(await confirmDialog('回滚到此版本', `将版本 #${v.id} 的网格载入草稿？当前草稿将被替换；发布后生效。`, { confirmLabel: '载入草稿' }))) return;
      try {
        await o.rollback(v.id);
        d.close();
      } catch (e) {
        summary.textContent = `回滚失败：${(e as Error).message}`;
      }
    });
    return h('tr', { 'data-version': v.id }, h('td', {}, box), h('td', {}, `#${v.id}`), h('td', {}, when(v.publishedAt)), h('td', {}, v.publishedBy), h('td', { class: 'note' }, v.note ?? ''), h('td', { class: 'actions' }, show, roll));
  });
  compareBtn.addEventListener('click', async () => {
    const [a, b] = [...picked].sort((x, y) => x - y) as [number, number];
    try {
      const r = await gridApi.compare(a, b);
      const grids: CompareGrid[] = [
        ...r.removed.features.map((f) => ({ id: f.properties.id, name: f.properties.name, households: f.properties.households, diff: 'removed' as const, geometry: f.geometry })),
        ...r.changed.features.map((f) => ({ id: f.properties.id, name: f.properties.name, households: f.properties.households, householdsBefore: f.properties.householdsBefore, diff: 'changed' as const, geometry: f.geometry })),
        ...r.added.features.map((f) => ({ id: f.properties.id, name: f.properties.name, households: f.properties.households, diff: 'added' as const, geometry: f.geometry })),
      ];
      o.onShow({
        kind: 'compare',
        title: `版本对比 #${a} → #${b}`,
        summary: `新增 ${r.added.features.length}，取消 ${r.removed.features.length}，改动 ${r.changed.features.length} 个网格；${fmtInt(r.householdsMoved)} 户改变网格。`,
        grids,
      });
      d.close();
    } catch (e) {
      summary.textContent = `对比失败：${(e as Error).message}`;
    }
  });
  const d = openDialog({
    title: '版本',
    id: 'ge-versions',
    wide: true,
    lead: '勾选两个版本可在地图上对比（新增、取消、改动的网格）；回滚会把所选版本载入草稿，发布后生效。',
    cancelLabel: null,
    submitLabel: '关闭',
    content: [
      o.versions.length
        ? h('table', { class: 'ge-versions' }, h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, '版本'), h('th', {}, '发布时间'), h('th', {}, '发布人'), h('th', {}, '说明'), h('th', {}, ''))), h('tbody', {}, ...rows))
        : h('p', { class: 'gc-dialog-text' }, '尚无发布的版本。'),
      h('div', { class: 'row', style: 'display:flex;gap:8px;margin-top:8px' }, compareBtn),
      summary,
    ],
  });
}

/** 导入: GeoJSON or a zipped Shapefile and its coordinate system. */
export function importDialog(submit: (crs: InputCrs, file: File) => Promise<void>): void {
  const file = h('input', { type: 'file', name: 'file', accept: '.geojson,.json,.zip,application/json,application/zip', required: true });
  const crs = h('select', { name: 'crs' }, ...INPUT_CRS.map((c) => h('option', { value: c }, CRS_LABEL[c])));
  openDialog({
    title: '导入网格',
    id: 'ge-import',
    lead: '导入的网格替换当前社区的草稿（不会直接发布）。以米为单位的投影坐标或未知坐标系将被拒绝。',
    content: [field('文件（GeoJSON 或 Shapefile 压缩包 .zip）', file), field('坐标系', crs)],
    submitLabel: '导入',
    onSubmit: async () => {
      const f = file.files?.[0];
      if (!f) throw new Error('请选择文件');
      await submit(crs.value as InputCrs, f);
    },
  });
}

/** The file name a download response names (Content-Disposition), else `fallback`. */
function attachmentName(r: Response, fallback: string): string {
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(r.headers.get('content-disposition') ?? '');
  return m ? decodeURIComponent(m[1]!) : fallback;
}

/** 导出: GeoJSON / Shapefile of the saved draft (or the published grids), fetched so errors show here. */
export function exportDialog(o: { geojsonUrl: string; shpUrl: string; community: string; draft: boolean; dirty: boolean }): void {
  const status = h('p', { class: 'gc-dialog-hint', role: 'status' });
  const button = (label: string, url: string, format: string, fallback: string) => {
    const b = h('button', { type: 'button', class: 'gc-btn', 'data-export': format }, label);
    b.addEventListener('click', async () => {
      b.disabled = true;
      status.textContent = '正在导出…';
      try {
        const r = await fetch(url, { headers: authHeaders() });
        if (!r.ok) {
          const body = (await r.json().catch(() => null)) as { error?: { message?: string } } | null;
          status.textContent = `导出失败（HTTP ${r.status}）${body?.error?.message ? `：${body.error.message}` : ''}`;
          return;
        }
        const filename = attachmentName(r, fallback);
        const blob = await r.blob();
        const a = h('a', { href: URL.createObjectURL(blob), download: filename });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
        status.textContent = `已导出 ${filename}`;
      } catch (e) {
        status.textContent = `导出失败：${(e as Error).message}`;
      } finally {
        b.disabled = false;
      }
    });
    return b;
  };
  openDialog({
    title: '导出网格',
    id: 'ge-export',
    lead: `${o.community}：${o.draft ? '已保存的草稿' : '已发布的网格'}，WGS84 经纬度（EPSG:4326）。`,
    cancelLabel: null,
    submitLabel: '关闭',
    content: [
      o.dirty ? h('div', { class: 'gc-callout warn' }, '有未保存的修改：导出的是上次保存的内容，请先保存草稿。') : null,
      h('p', { class: 'gc-dialog-text', style: 'display:flex;gap:10px' }, button('GeoJSON', o.geojsonUrl, 'geojson', 'grids.geojson'), button('Shapefile（.zip）', o.shpUrl, 'shp', 'grids-shp.zip')),
      status,
      h('p', { class: 'gc-dialog-hint' }, '属性：id、code、name、households、residents、buildings；户数为合成数据；© OpenStreetMap contributors。'),
    ],
  });
}
