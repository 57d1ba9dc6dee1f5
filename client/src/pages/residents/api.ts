// The resident data pool's HTTP calls (server/residents/routes.ts), typed by core/resident-pool.ts.
import type { PoolKind } from '../../../../core/resident-import.js';
import type { ImportPreview, PersonView, ResidentTagView, TagCountsByGrid, VisitDue } from '../../../../core/resident-pool.js';
import { api, ApiError, getCsrfToken, isKiosk, withQuery } from '../../api/http.js';
import { errorMessage } from '../../shell/errors.js';
import { h } from '../../shell/dom.js';

/** A button that runs `onClick`. */
export function button(label: string, cls: string, onClick: () => void, attrs: Record<string, string> = {}): HTMLButtonElement {
  const b = h('button', { class: cls, type: 'button', ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}

export interface HouseView { id: number; gridId: number; gridName: string; unit: string; owner: string | null; phone: string | null; tags: string[]; synthetic: boolean }
export interface FirmView { id: number; gridId: number; gridName: string; name: string; contact: string | null; phone: string | null; tags: string[]; synthetic: boolean }
export interface DueView extends VisitDue { name: string; phone: string; gridId: number; gridName: string; buildingName: string | null }
export type TagInput = { name: string; sensitive: boolean; visitDays: number | null; sort: number };

/** A file as the raw body (the server reads CSV or .xlsx by its bytes). */
async function upload<T>(path: string, file: Blob): Promise<T> {
  if (!isKiosk() && !getCsrfToken()) await api.me().catch(() => undefined);
  return api.request<T>(path, { method: 'POST', headers: { 'Content-Type': file.type || 'application/octet-stream' }, body: file });
}

export const pool = {
  tags: () => api.request<{ tags: ResidentTagView[] }>('/api/residents/tags'),
  byGrid: (division: string) => api.request<TagCountsByGrid & { truncated: boolean }>(withQuery('/api/residents/by-grid', { division })),
  people: (division: string, tag: string | undefined) =>
    api.request<{ residents: PersonView[] }>(withQuery('/api/residents', { division, tag, limit: 500 })),
  houses: (division: string, tag: string | undefined) =>
    api.request<{ houses: HouseView[] }>(withQuery('/api/residents/houses', { division, tag, limit: 500 })),
  firms: (division: string, tag: string | undefined) =>
    api.request<{ firms: FirmView[] }>(withQuery('/api/residents/firms', { division, tag, limit: 500 })),
  full: (id: number) => api.request<PersonView>(`/api/residents/${id}?full=1`),
  setTags: (id: number, tags: string[]) => api.send<PersonView>('PUT', `/api/residents/${id}/tags`, { tags }),
  preview: (kind: PoolKind, file: Blob) => upload<ImportPreview>(withQuery('/api/residents/import/preview', { kind }), file),
  commit: (kind: PoolKind, file: Blob) => upload<{ imported: number; ids: number[] }>(withQuery('/api/residents/import', { kind }), file),
  createTag: (b: TagInput & { code: string; appliesTo: PoolKind }) => api.send<ResidentTagView>('POST', '/api/residents/tags', b),
  updateTag: (code: string, b: TagInput) => api.send<ResidentTagView>('PUT', `/api/residents/tags/${encodeURIComponent(code)}`, b),
  deleteTag: (code: string) => api.send<{ deleted: string }>('DELETE', `/api/residents/tags/${encodeURIComponent(code)}`),
  due: () => api.request<{ today: string; total: number; due: DueView[] }>('/api/residents/visits/due?limit=200'),
  visit: (id: number, note: string) => api.send<{ id: number; visitedOn: string }>('POST', `/api/residents/${id}/visits`, { note }),
};

export const KIND_ZH: Record<PoolKind, string> = { person: '人', house: '房', firm: '企' };

/** zh-CN for the import's stable error codes (core/resident-import.ts). */
export const IMPORT_ERROR_ZH: Record<string, string> = {
  missing_column: '缺少列', missing_field: '必填项为空', wrong_field_count: '列数不对', field_too_long: '内容过长',
  unknown_tag: '未知标签', tag_not_applicable: '标签不适用', unknown_grid: '未知网格', ambiguous_grid: '网格名称重复',
  outside_jurisdiction: '超出辖区', unknown_building: '未知楼栋', building_outside_grid: '楼栋不在该网格',
  bad_phone: '电话格式错误', bad_id_number: '身份证号无效', duplicate_id_number: '身份证号重复',
  bad_credit_code: '信用代码无效', duplicate_credit_code: '信用代码重复', duplicate_unit: '房号重复',
};

export const COLUMN_ZH: Record<string, string> = {
  name: '姓名/名称', idNumber: '身份证号', phone: '电话', grid: '网格', building: '楼栋编号', tags: '标签', unit: '房号',
  creditCode: '统一社会信用代码', contactName: '联系人',
};

/** zh-CN for this page's own error codes (the shared messages cover the rest). */
const POOL_ERRORS: Record<string, string> = {
  tag_in_use: '该标签仍有记录在用，不能删除（请先从记录上移除）',
  unknown_tag: '标签不在标签列表中，或不适用于此类记录',
  validation_failed: '文件有错误，未导入任何数据：请先预览并改正',
  payload_too_large: '文件过大：最多 2 MB、5000 行',
  conflict: '标签代码或名称已存在',
};
/** Why a file is malformed_file (server/residents/import.ts readTable and checkFile say it in English), in zh-CN. */
const MALFORMED_ZH: [RegExp, string][] = [
  [/file is empty/, '文件是空的'],
  [/no worksheet/, '工作簿里没有工作表'],
  [/first worksheet is empty/, '第一个工作表是空的（只读取第一个工作表）'],
  [/not a readable \.xlsx/, '文件已损坏，或不是 Excel 工作簿'],
  [/binary file/, '既不是 CSV 文本，也不是 Excel 工作簿'],
  [/not a readable CSV/, 'CSV 格式有误（例如引号未闭合）'],
  [/no header row/, '文件没有表头行'],
  [/header but no rows/, '文件只有表头，没有数据行'],
];
export function poolError(e: unknown): string {
  if (e instanceof ApiError && e.code === 'malformed_file') {
    const why = MALFORMED_ZH.find(([re]) => re.test(e.message))?.[1] ?? e.message;
    return `文件无法读取（${why}）。请上传 UTF-8 或 GBK 编码的 CSV，或 Excel（.xlsx）文件`;
  }
  if (e instanceof ApiError && POOL_ERRORS[e.code]) return `${POOL_ERRORS[e.code]}（${e.message}）`;
  return errorMessage(e);
}
