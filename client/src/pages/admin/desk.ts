// 服务台 tab (desk staff: community, subdistrict and district-centre staff, grid workers): a resident at
// the counter gets a verification code for their phone (to report 随手拍 or to vote), read out to
// them, or a one-time voting link for their community's 一年一事 candidate projects (for residents
// without a mobile); and the desk sees what it issued: its codes (masked phone and state, never the
// code again) and the voting links of its communities (never the token: it is shown once, here).
import { CODE_STATE_TEXT, VOTE_LINK_STATE_TEXT } from '../../../../core/desk.js';
import { can, type Role } from '../../../../core/permissions.js';
import type { DeskCodeRow, VoteLinkRow } from '../../../../core/public-contract.js';
import { api } from '../../api/http.js';
import { h } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';
import { flash } from '../../shell/header.js';
import { fmtDateTime, pill, table, type CommunityRef } from './common.js';
import './desk.css';

const PURPOSE_TEXT = { report: '随手拍上报', vote: '一年一事投票' } as const;
const CODE_PILL = { live: 'ok', used: 'info', expired: 'off', replaced: 'off', locked: 'bad' } as const;

interface DeskCodeAnswer { phone: string; purpose: 'report' | 'vote'; code: string; expiresAt: string; issued: 'live' | 'new' }
interface VoteLinkAnswer { token: string; url: string; year: number }

export function deskTab(role: Role, communities: CommunityRef[]): { el: HTMLElement; load(): Promise<void> } {
  const mayCode = can(role, 'read_full', 'resident_pii');
  const mayLink = can(role, 'update', 'incident');

  // ---- codes ----
  const phone = h('input', { name: 'phone', type: 'tel', required: true, maxlength: 20, placeholder: '居民手机号', autocomplete: 'off', inputmode: 'tel' });
  const purpose = h('select', { name: 'purpose', 'aria-label': '用途' },
    h('option', { value: 'vote' }, PURPOSE_TEXT.vote), h('option', { value: 'report' }, PURPOSE_TEXT.report));
  const codeBtn = h('button', { type: 'submit', class: 'gc-btn primary', id: 'desk-code-issue' }, '发放核验码');
  const codeErr = h('div', { class: 'gc-form-error', role: 'alert', id: 'desk-code-error', hidden: true });
  const codeOut = h('div', { class: 'gc-desk-result', id: 'desk-code-result', hidden: true, 'aria-live': 'polite' });
  const codeForm = h('form', { class: 'gc-inline-form', id: 'desk-code-form', novalidate: true }, phone, purpose, codeBtn);
  const codeList = h('div', { id: 'desk-codes' });

  codeForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    codeErr.hidden = true;
    codeOut.hidden = true;
    if (!/^\s*(\+?86)?\s*1\d{2}[\s-]?\d{4}[\s-]?\d{4}\s*$/.test(phone.value)) {
      codeErr.textContent = '请输入 11 位大陆手机号';
      codeErr.hidden = false;
      return;
    }
    codeBtn.disabled = true;
    try {
      const r = await api.send<DeskCodeAnswer>('POST', '/api/public/desk/codes', { phone: phone.value.trim(), purpose: purpose.value });
      codeOut.dataset.code = r.code;
      codeOut.replaceChildren(
        h('div', { class: 'gc-muted' }, `${r.phone} · ${PURPOSE_TEXT[r.purpose]} · ${r.issued === 'new' ? '新发放' : '居民已申请的有效码'}`),
        h('div', { class: 'gc-desk-code mono' }, r.code),
        h('div', { class: 'gc-muted small' }, `请当面告知居民；有效期至 ${fmtDateTime(r.expiresAt)}。此码不会再次显示。`));
      codeOut.hidden = false;
      phone.value = '';
      await loadCodes();
    } catch (e) {
      codeErr.textContent = errorMessage(e);
      codeErr.hidden = false;
    } finally {
      codeBtn.disabled = false;
    }
  });

  async function loadCodes() {
    const rows = (await api.request<{ codes: DeskCodeRow[] }>('/api/public/desk/codes?limit=100')).codes;
    codeList.replaceChildren(table('desk-codes', ['发放时间', '手机号', '用途', '申请方', '有效期至', '状态'], rows.map((c) => h('tr', { 'data-code-id': c.id, 'data-state': c.state },
      h('td', { class: 'time' }, fmtDateTime(c.issuedAt)), h('td', { class: 'mono' }, c.phone), h('td', {}, PURPOSE_TEXT[c.purpose]),
      h('td', {}, c.requestedBy === 'self' ? '居民申请' : '服务台'), h('td', { class: 'time' }, fmtDateTime(c.expiresAt)),
      h('td', {}, pill(CODE_STATE_TEXT[c.state], CODE_PILL[c.state])))), '本服务台尚未发放核验码'));
  }

  // ---- voting links ----
  const community = h('select', { name: 'community', 'aria-label': '社区', id: 'desk-link-community' },
    ...communities.map((c) => h('option', { value: c.code }, c.label)));
  const linkBtn = h('button', { type: 'submit', class: 'gc-btn primary', id: 'desk-link-issue' }, '生成一次性投票链接');
  const linkErr = h('div', { class: 'gc-form-error', role: 'alert', id: 'desk-link-error', hidden: true });
  const linkOut = h('div', { class: 'gc-desk-result', id: 'desk-link-result', hidden: true, 'aria-live': 'polite' });
  const linkForm = h('form', { class: 'gc-inline-form', id: 'desk-link-form', novalidate: true }, community, linkBtn);
  const linkList = h('div', { id: 'desk-links' });

  linkForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    linkErr.hidden = true;
    linkOut.hidden = true;
    if (!community.value) return;
    linkBtn.disabled = true;
    try {
      const r = await api.send<VoteLinkAnswer>('POST', '/api/public/desk/vote-links', { communityCode: community.value });
      const url = new URL(r.url, location.origin).toString();
      const input = h('input', { class: 'mono', readonly: true, value: url, id: 'desk-link-url', 'aria-label': '投票链接', size: 60 });
      linkOut.replaceChildren(
        h('div', { class: 'gc-muted' }, `${communities.find((c) => c.code === community.value)?.label ?? community.value} · ${r.year} 年度一年一事投票 · 仅可投票一次`),
        input,
        h('div', { class: 'gc-muted small' }, '请打印或发给居民；链接只在此显示一次。'));
      linkOut.hidden = false;
      input.select();
      flash('投票链接已生成');
      await loadLinks();
    } catch (e) {
      linkErr.textContent = errorMessage(e);
      linkErr.hidden = false;
    } finally {
      linkBtn.disabled = false;
    }
  });

  async function loadLinks() {
    const rows = (await api.request<{ links: VoteLinkRow[] }>('/api/public/desk/vote-links?limit=200')).links;
    linkList.replaceChildren(table('desk-links', ['生成时间', '社区', '年度', '经办', '状态', '投票时间'], rows.map((l) => h('tr', { 'data-link-id': l.id, 'data-state': l.state },
      h('td', { class: 'time' }, fmtDateTime(l.issuedAt)), h('td', {}, l.communityName), h('td', {}, String(l.year)), h('td', {}, l.issuedBy),
      h('td', {}, pill(VOTE_LINK_STATE_TEXT[l.state], l.state === 'unused' ? 'ok' : l.state === 'used' ? 'info' : 'off')),
      h('td', { class: 'time' }, fmtDateTime(l.usedAt)))), '尚未生成投票链接'));
  }

  const el = h('section', { class: 'gc-tab-panel', id: 'panel-desk' },
    mayCode ? h('div', { class: 'gc-desk-block', id: 'desk-codes-block' },
      h('div', { class: 'gc-toolbar' }, h('div', {}, h('h2', {}, '核验码'), h('span', { class: 'gc-muted' }, '居民无法接收短信时，由服务台当面告知核验码（每次发放记入审计日志）')), codeForm),
      codeErr, codeOut, codeList) : null,
    mayLink ? h('div', { class: 'gc-desk-block', id: 'desk-links-block' },
      h('div', { class: 'gc-toolbar' }, h('div', {}, h('h2', {}, '一次性投票链接'), h('span', { class: 'gc-muted' }, '为没有手机的居民生成本社区本年度“一年一事”投票链接，每个链接只能投一次')), linkForm),
      linkErr, linkOut, linkList) : null);

  async function load() {
    await Promise.all([mayCode ? loadCodes() : null, mayLink ? loadLinks() : null]);
  }
  return { el, load };
}
