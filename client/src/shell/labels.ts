// zh-CN display names for codes the API returns.

export const SOURCE_NAMES: Record<string, string> = {
  patrol: '网格员巡查',
  hotline_12345: '12345热线',
  hotline_8890: '8890热线',
  photo: '随手拍',
  open311: 'Open311',
  simulator: '模拟',
};

export const STATUS_NAMES: Record<string, string> = {
  reported: '已上报',
  accepted: '已受理',
  assigned: '已派遣',
  in_progress: '处置中',
  resolved: '已办结',
  closed: '已关闭',
  rejected: '已退回',
};

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
