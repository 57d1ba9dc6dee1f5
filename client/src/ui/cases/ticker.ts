// Deadline countdowns that tick every second: any element with data-deadline="ISO" (and
// optionally data-state-type="open|fixed|closed") under the root shows the time left, in red once
// past. One timer per page, whatever the number of cases. With data-cd-label the figure says what it
// is: 剩余 03:12:45 before the deadline, 超期 00:30:00 after it (the desk); without, the bare clock.
import { countdown, type ServerClock } from './model.js';

export function paintCountdown(el: HTMLElement, nowMs: number): void {
  const type = el.dataset.stateType ?? 'open';
  const c = countdown(el.dataset.deadline, nowMs);
  const stopped = type !== 'open' || !el.dataset.deadline;
  const text = stopped ? (el.dataset.empty ?? '') : el.dataset.cdLabel !== undefined && !c.past && c.text ? `剩余 ${c.text}` : c.text;
  if (el.textContent !== text) el.textContent = text;
  el.classList.toggle('gw-cd-past', !stopped && c.past);
  el.classList.toggle('gw-cd-urgent', !stopped && !c.past && c.urgent);
  el.title = stopped ? '' : `办理时限 ${new Date(el.dataset.deadline!).toLocaleString('zh-CN', { hour12: false })}`;
}

/** Paint every countdown under root (the ticker's work; also for a list item as it is drawn). */
export function paintCountdowns(root: ParentNode, nowMs: number): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-deadline]')) paintCountdown(el, nowMs);
}

export function startTicker(root: ParentNode, clock: ServerClock, everyMs = 1000): () => void {
  const tick = () => paintCountdowns(root, clock.now());
  tick();
  const t = setInterval(tick, everyMs);
  return () => clearInterval(t);
}
