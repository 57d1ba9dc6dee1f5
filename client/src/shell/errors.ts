// zh-CN messages for the API's error codes (core/errors.ts), with a few finer ones by message.
// Every stable code has one (errors.test.ts); pages that know more say more (e.g. the points list).
import type { ErrorCode } from '../../../core/errors.js';
import { ApiError } from '../api/http.js';

type ClientCode = 'network_error' | 'bad_json' | 'http_error';
export const ERROR_MESSAGES: Record<ErrorCode | ClientCode, string> = {
  invalid_request: '提交的内容不正确，请检查后重试',
  invalid_geometry: '位置或图形无效',
  invalid_bbox: '地图范围无效',
  invalid_crs: '坐标系不受支持',
  unknown_category: '事件类别不存在',
  malformed_json: '请求格式错误',
  weak_password: '密码强度不足：至少 10 位，且须同时包含字母和数字',
  password_reused: '新密码不能与当前密码相同',
  outside_district: '位置不在辖区范围内',
  address_not_found: '无法确定该地址的位置，请在地图上选点或从候选地址中选择',
  unreachable: '该位置距离步行路网过远（超过 300 米），无法计算步行覆盖',
  unknown_service_class: '服务设施类别不存在',
  revision_conflict: '草稿已被他人修改并保存，请重新载入后再编辑',
  validation_failed: '校验未通过，请按提示修改后重试',
  proposal_failed: '无法根据本社区数据生成划分方案',
  verification_failed: '验证码错误、已过期或已使用',
  verification_required: '请先验证手机号，或链接已失效',
  already_rated: '已经评价过，不能重复评价',
  not_rateable: '案件办结后才能评价',
  already_voted: '已经投过票，每人每年只能投一次',
  already_awarded: '该案件（含合并的重复件）已计过积分，不再重复计分',
  not_awardable: '该案件不符合计分条件（未核查有效或已判定为无效）',
  invalid_activity: '活动记录不符合台账规则',
  assignee_outside_area: '指派对象不负责该预警所在区域',
  unknown_tag: '标签不存在或不适用于此类记录',
  malformed_file: '文件无法读取，未导入任何内容',
  tag_in_use: '该标签仍有记录在用，不能删除',
  client_key_conflict: '重复提交',
  invalid_transition: '当前状态下不能执行此操作',
  conflict: '与现有数据冲突',
  unauthorized: '未登录或登录已失效，请重新登录',
  invalid_credentials: '用户名或密码错误',
  forbidden: '无权执行此操作',
  csrf_failed: '安全校验失败，请刷新页面后重试',
  password_change_required: '请先修改初始密码',
  not_found: '对象不存在或已被删除',
  payload_too_large: '提交的内容过大',
  unsupported_media_type: '请求格式不受支持',
  rate_limited: '尝试次数过多，请稍后再试',
  storage_unavailable: '存储服务暂不可用，未保存任何内容，请稍后重试',
  database_damaged: '数据库损坏，请联系管理员从备份恢复',
  proposal_busy: '划分方案计算排队已满，请稍后重试',
  proposal_timeout: '划分方案计算超时，未做任何修改',
  internal_error: '服务器内部错误，请稍后再试',
  network_error: '无法连接服务器，请检查网络',
  bad_json: '服务器返回了无效数据',
  http_error: '请求失败',
};

/** Finer messages for some server messages (English, stable) of a code. */
const BY_MESSAGE: [code: string, pattern: RegExp, zh: string][] = [
  ['conflict', /username .* is taken/i, '用户名已被占用'],
  ['conflict', /cannot disable or demote yourself/i, '不能停用自己的账号，也不能取消自己的管理员角色'],
  ['conflict', /department .* exists/i, '部门代码已存在'],
  ['invalid_request', /needs a jurisdiction/i, '请为该角色选择辖区'],
  ['invalid_request', /binds to a/i, '所选辖区与角色不符'],
  ['invalid_request', /give one of/i, '只能选择一个辖区'],
  ['invalid_request', /3–64 letters/i, '用户名须为 3–64 位字母、数字或 _ . -'],
  ['invalid_credentials', /current password is wrong/i, '当前密码不正确'],
  ['weak_password', /at least 10/i, '密码至少需要 10 位'],
  ['weak_password', /mix letters and digits/i, '密码须同时包含字母和数字'],
  ['not_found', /token .* not found/i, '令牌不存在或已被吊销'],
  ['forbidden', /tokens have no password/i, '令牌没有密码'],
];

/** A zh-CN sentence for any error (ApiError by code; anything else by its message). */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) {
    for (const [code, re, zh] of BY_MESSAGE) if (code === e.code && re.test(e.message)) return zh;
    const base = (ERROR_MESSAGES as Record<string, string>)[e.code];
    if (base) return base;
    return e.status ? `请求失败（HTTP ${e.status}）` : e.message;
  }
  return e instanceof Error ? e.message : String(e);
}
