// The 待发送 list: reports stored on this phone and not yet on the server, each with its state
// (waiting for the network, retrying, refused with the server's reason) and retry/delete buttons.
import { fmtTime, h } from '../../shell/dom.js';
import type { OutboxItem } from './outbox.js';

export interface OutboxViewOptions {
  catName: (code: string) => string;
  online: boolean;
  paused: boolean;
  onRetry: (clientKey: string) => void;
  onDiscard: (clientKey: string) => void;
}

function statusOf(i: OutboxItem, o: OutboxViewOptions, now: number): { text: string; tone: 'wait' | 'retry' | 'bad' } {
  if (i.state === 'failed') return { text: `未被受理：${i.lastError?.message ?? '未知原因'}（${i.lastError?.code ?? ''}）`, tone: 'bad' };
  if (o.paused) return { text: '登录已失效：重新登录后自动发送', tone: 'bad' };
  if (!o.online) return { text: '离线：联网后自动发送', tone: 'wait' };
  if (i.attempts === 0) return { text: '发送中…', tone: 'wait' };
  const s = Math.max(0, Math.round((i.nextAttemptAt - now) / 1000));
  const why = i.lastError?.status === 0 ? '网络不通' : `服务器 ${i.lastError?.status ?? ''}`;
  return { text: `${why}：已尝试 ${i.attempts} 次，${s > 0 ? `${s} 秒后` : '即将'}重试`, tone: 'retry' };
}

export function renderOutbox(ul: HTMLElement, items: OutboxItem[], o: OutboxViewOptions): void {
  const now = Date.now();
  if (!items.length) {
    ul.replaceChildren(h('li', { class: 'gm-empty' }, '没有待发送的上报'));
    return;
  }
  ul.replaceChildren(...items.map((i) => {
    const st = statusOf(i, o, now);
    const retry = h('button', { type: 'button', class: 'gm-chip-btn' }, '重新发送');
    retry.addEventListener('click', () => o.onRetry(i.clientKey));
    const del = h('button', { type: 'button', class: 'gm-chip-btn danger' }, '删除');
    del.addEventListener('click', () => o.onDiscard(i.clientKey));
    return h(
      'li',
      { class: `gm-ob ${i.state}`, 'data-client-key': i.clientKey, 'data-state': i.state },
      h('div', { class: 'gm-case-l1' },
        h('span', { class: 'gm-case-cat' }, o.catName(i.body.category)),
        i.photo || i.photoId ? h('span', { class: 'gw-chip' }, '含照片') : null,
        h('time', { class: 'gm-case-id' }, fmtTime(new Date(i.createdAt).toISOString()))),
      i.body.description ? h('div', { class: 'gm-case-desc' }, i.body.description) : null,
      h('div', { class: `gm-ob-status ${st.tone}` }, st.text),
      h('div', { class: 'gm-case-meta' }, `${i.body.lon.toFixed(5)}, ${i.body.lat.toFixed(5)} · 编号 ${i.clientKey.slice(0, 10)}…`),
      i.state === 'failed' || i.attempts > 0 ? h('div', { class: 'gm-case-acts' }, i.state === 'failed' ? retry : null, del) : null,
    );
  }));
}
