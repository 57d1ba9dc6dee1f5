// HTTP client of the public pages (随手拍 /report, community page /public/<code>): no account, no
// cookie, no CSRF token. What the server handed out (a verified phone's ticket, a report's private
// link, a desk's voting link) goes in its own header; the page keeps the ticket in memory only.
import type {
  CodeIssued, CommunitySummary, Leaderboard, PublicCaseView, PublicDistrict, ReportFiled, TicketIssued, VoteResults,
} from '../../../core/public-contract.js';
import type { ApiErrorBody } from '../../../core/errors.js';
import type { CodePurpose } from '../../../core/verify-code.js';
import type { InputCrs } from '../../../core/types.js';
import type { Rating } from '../../../core/workflow.js';

export class PublicApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
    this.name = 'PublicApiError';
  }
}

async function call<T>(method: string, url: string, opts: { body?: unknown; form?: FormData; headers?: Record<string, string> } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  let body: BodyInit | undefined;
  if (opts.form) body = opts.form;
  else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const res = await fetch(url, { method, headers, body, credentials: 'omit', cache: 'no-store' });
  const text = await res.text();
  const json = text ? JSON.parse(text) as unknown : null;
  if (!res.ok) {
    const e = (json as ApiErrorBody | null)?.error;
    throw new PublicApiError(res.status, e?.code ?? 'internal_error', e?.message ?? res.statusText, e?.details);
  }
  return json as T;
}

const ticketHeader = (t: string) => ({ 'X-Resident-Ticket': t });

export const publicApi = {
  district: () => call<PublicDistrict>('GET', '/api/public/district'),
  requestCode: (phone: string, purpose: CodePurpose) => call<CodeIssued>('POST', '/api/public/codes', { body: { phone, purpose } }),
  verify: (phone: string, purpose: CodePurpose, code: string) => call<TicketIssued>('POST', '/api/public/verify', { body: { phone, purpose, code } }),
  uploadPhoto: (ticket: string, photo: Blob) => {
    const form = new FormData();
    form.append('photo', photo, 'photo.jpg');
    return call<{ id: number }>('POST', '/api/public/photos', { form, headers: ticketHeader(ticket) });
  },
  report: (ticket: string, r: { phone: string; category: string; description: string; lon: number; lat: number; crs: InputCrs; photos: number[]; clientKey: string }) =>
    call<ReportFiled>('POST', '/api/public/reports', { body: r, headers: ticketHeader(ticket) }),
  trackedCase: (token: string) => call<PublicCaseView>('GET', '/api/public/case', { headers: { 'X-Track-Token': token } }),
  rate: (token: string, rating: Rating, note?: string) =>
    call<PublicCaseView>('POST', '/api/public/case/rating', { body: note ? { rating, note } : { rating }, headers: { 'X-Track-Token': token } }),
  summary: (code: string) => call<CommunitySummary>('GET', `/api/public/communities/${encodeURIComponent(code)}/summary`),
  votes: (code: string) => call<VoteResults>('GET', `/api/public/communities/${encodeURIComponent(code)}/votes`),
  leaderboard: (code: string) => call<Leaderboard>('GET', `/api/public/communities/${encodeURIComponent(code)}/leaderboard`),
  vote: (code: string, projectId: number, by: { ticket: string } | { link: string }) =>
    call<VoteResults>('POST', `/api/public/communities/${encodeURIComponent(code)}/votes`, {
      body: { projectId }, headers: 'ticket' in by ? ticketHeader(by.ticket) : { 'X-Vote-Link': by.link },
    }),
};

/** zh-CN words for the public pages' refusals (by stable code). */
export function publicErrorText(e: unknown): string {
  if (!(e instanceof PublicApiError)) return '网络异常，请稍后重试';
  switch (e.code) {
    case 'verification_failed': {
      const reason = (e.details as { reason?: string } | undefined)?.reason;
      return reason === 'wrong' ? '验证码不正确' : reason === 'too_many_attempts' ? '错误次数过多，请重新获取验证码' : '验证码已失效，请重新获取';
    }
    case 'verification_required': return '验证已过期或链接无效，请重新验证手机号';
    case 'rate_limited': return '操作过于频繁，请稍后再试';
    case 'outside_district': return '所选位置不在本区范围内';
    case 'already_rated': return '您已评价过该案件';
    case 'not_rateable': return '案件办结后才能评价';
    case 'already_voted': return '您今年已在本社区投过票，每人限投一次';
    case 'payload_too_large': return '照片太大，请换一张';
    case 'unsupported_media_type': return '仅支持 JPEG、PNG 或 WebP 照片';
    case 'invalid_request': return `填写有误：${e.message}`;
    default: return e.message;
  }
}
