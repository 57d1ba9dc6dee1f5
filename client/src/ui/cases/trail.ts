// A case's trail (办理轨迹) as a timeline: who did what, when, at which level, their note and photos.
import { ROLES } from '../../../../core/permissions.js';
import { h } from '../../shell/dom.js';
import { thumbOf } from './case-api.js';
import { stateColor, trailExtra, type CaseEventView, type CasePhoto } from './model.js';

const full = new Intl.DateTimeFormat('zh-CN', { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
export const fmtWhen = (iso: string | null | undefined) => (iso ? full.format(new Date(iso)) : '—');

const roleName = (r: string | null) => (r ? ((ROLES as Record<string, string>)[r] ?? (r === 'system' ? '系统' : r)) : '');

/** Thumbnails that open the full photo in a new tab. */
export function photoStrip(refs: string[], cls = 'gw-photos'): HTMLElement | null {
  const items = refs.map((ref) => {
    const thumb = thumbOf(ref);
    return thumb
      ? h('a', { href: ref, target: '_blank', rel: 'noopener', class: 'gw-photo', title: '查看照片' }, h('img', { src: thumb, alt: '现场照片' }))
      : h('span', { class: 'gw-photo-ref', title: ref }, '附件');
  });
  return items.length ? h('div', { class: cls }, ...items) : null;
}

export function renderTrail(events: CaseEventView[], departments: Map<string, string> = new Map(), photos: CasePhoto[] = []): HTMLElement {
  const byEvent = new Set(events.flatMap((e) => e.photos));
  // Photos on the case that no trail entry lists (e.g. added at intake by another path).
  const loose = photos.map((p) => p.url).filter((u) => !byEvent.has(u));
  const list = h(
    'ol',
    { class: 'gw-trail' },
    ...events.map((e, i) => {
      const extra = trailExtra(e, departments);
      return h(
        'li',
        { class: i === events.length - 1 ? 'last' : null, 'data-action': e.action },
        h('i', { class: 'gw-trail-dot', style: `--c:${stateColor(e.toState)}` }),
        h(
          'div',
          { class: 'gw-trail-l1' },
          h('b', {}, e.actionName),
          e.fromState !== e.toState ? h('span', { class: 'gw-trail-state' }, `→ ${e.toStateName}`) : null,
          e.onTime === true ? h('span', { class: 'gw-chip ok' }, '按时') : e.onTime === false ? h('span', { class: 'gw-chip bad' }, '超时') : null,
          h('time', { datetime: e.at }, fmtWhen(e.at)),
        ),
        h('div', { class: 'gw-trail-who' }, e.actor.label || '—', e.actor.role ? h('span', {}, ` · ${roleName(e.actor.role)}`) : null, extra ? h('span', { class: 'gw-trail-extra' }, ` · ${extra}`) : null),
        e.note ? h('div', { class: 'gw-trail-note' }, e.note) : null,
        photoStrip(e.photos),
      );
    }),
  );
  if (!loose.length) return list;
  return h('div', {}, list, h('div', { class: 'gw-sub' }, '其他照片'), photoStrip(loose));
}
