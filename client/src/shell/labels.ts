// zh-CN display names for codes the API returns.
import { WORKFLOW } from '../../../core/workflow.js';

export const SOURCE_NAMES: Record<string, string> = {
  patrol: '网格员巡查',
  hotline_12345: '12345热线',
  hotline_8890: '8890热线',
  photo: '随手拍',
  open311: 'Open311',
  simulator: '模拟',
};

/** Case states by the workflow table (data/incident-workflow.json): 已上报 … 已评价, 退回, 重复, 重新打开. */
export const STATUS_NAMES: Record<string, string> = Object.fromEntries(WORKFLOW.states.map((s) => [s.code, s.name]));

export const DB_NAMES: Record<string, string> = {
  embedded: '内置',
  postgres: 'PostgreSQL',
};

export const LEVEL_NAMES: Record<string, string> = {
  district: '区',
  subdistrict: '街道',
  community: '社区',
};

export const nameOr = (map: Record<string, string>, code: string | null | undefined) => (code ? (map[code] ?? code) : '—');
