// Controls: the operator's keyboard (n next stop, r replay, h heat, 1–9 metrics), the clock, and
// the operator and test controls on window.__wall.
import { $ } from '../../../shell/dom.js';
import type { WallContext } from '../context.js';
import { beijingDate, METRICS } from '../params.js';

export function setupKeyboard(ctx: WallContext): void {
  addEventListener('keydown', (e) => {
    if ((e.target as HTMLElement)?.tagName === 'SELECT' || (e.target as HTMLElement)?.tagName === 'INPUT') return;
    if (e.key === 'n') ctx.tour?.next();
    else if (e.key === 'r') { if (ctx.replay.active) ctx.act.stopReplay(); else void ctx.act.startReplay(($('#replay-day') as HTMLSelectElement).value); }
    else if (e.key === 'h') ctx.act.setHeatVisible(!ctx.state.heatVisible);
    else if (/^[1-9]$/.test(e.key) && Number(e.key) <= METRICS.length) ctx.act.setMetric(METRICS[Number(e.key) - 1]!);
  });
}

export function startClock(): void {
  const dateFmt = new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: 'long', day: 'numeric', weekday: 'long', timeZone: 'Asia/Shanghai' });
  const timeFmt = new Intl.DateTimeFormat('zh-CN', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' });
  const tick = () => {
    $('#clock').textContent = timeFmt.format(new Date());
    $('#date').textContent = dateFmt.format(new Date());
  };
  tick();
  setInterval(tick, 1000);
}

/** Operator and test controls (window.__wall; browser tests rely on these names). */
export function exposeControls(ctx: WallContext): void {
  const { act } = ctx;
  const tour = ctx.tour!;
  Object.assign(window, { __wall: {
    setMetric: act.setMetric, setWindow: act.setWindow, setHeatVisible: act.setHeatVisible,
    tourNext: () => tour.next(),
    tourStart: () => tour.start(),
    tourStop: () => tour.stopTour(),
    /** Operators and tests: hold alerts back (a wall always shows them). */
    setAlerts: (on: boolean) => { ctx.state.alertsOn = on; },
    setTiming: (t: { dwell?: number; alert?: number; idle?: number }) => tour.setTiming({
      ...(t.dwell ? { dwellMs: t.dwell * 1000 } : {}), ...(t.alert ? { alertMs: t.alert * 1000 } : {}), ...(t.idle ? { idleMs: t.idle * 1000 } : {}),
    }),
    startReplay: (day?: string, speed?: number) => act.startReplay(day ?? beijingDate(Date.now() - 86_400_000), speed),
    stopReplay: act.stopReplay,
    seekReplay: act.seekReplay,
    select: (level: string, id: string | number) => act.select(level === 'district' ? { level: 'district' } : level === 'grid' ? { level: 'grid', gridId: Number(id) } : { level: level as 'subdistrict', code: String(id) }, true),
    rendered: () => ctx.view.rendered(),
    /** Drop or restore the live connection (tests: what was missed arrives after a reconnect). */
    socket: (action: 'disconnect' | 'connect') => { if (action === 'disconnect') ctx.live?.socket.disconnect(); else ctx.live?.socket.connect(); },
    tickerIds: () => [...document.querySelectorAll<HTMLElement>('#ticker li')].map((li) => Number(li.dataset.id)),
    stores: () => ({ live: ctx.liveStore.n, liveBytes: ctx.liveStore.bytes(), replay: ctx.replay.store.n, cases: ctx.live?.store.size ?? 0 }),
    today: beijingDate(Date.now()),
  } });
}
