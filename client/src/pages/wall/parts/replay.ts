// Replay of a past day: the cases of that day (with their resolutions) play back at a chosen
// speed, looping, with pulses where they land and the heat map following the replayed moment.
import type { RankRow, WallMetrics } from '../../../../../core/wall.js';
import { figuresAt, type MomentCounts, type MomentFigures } from '../../../../../core/wall-replay.js';
import { categoryColor, hexToRgba } from '../../../map/color.js';
import { $, h } from '../../../shell/dom.js';
import { wallApi } from '../api.js';
import type { Sel, WallContext } from '../context.js';
import { shortGridName } from '../panels.js';
import { beijingDate, beijingMidnight } from '../params.js';

const DAY_MS = 86_400_000;
/** Days of cases loaded before the replayed day, so cases still open from earlier days count. */
const DAYS_BEFORE = 7;

/** The grids a selection covers (null = the whole district). */
function gridsOf(ctx: WallContext, s: Sel): Set<number> | null {
  const { communityOf, subOf } = ctx.data;
  if (s.level === 'district') return null;
  if (s.level === 'grid' || s.level === 'building') return new Set(s.gridId == null ? [] : [s.gridId]);
  const out = new Set<number>();
  for (const [g, com] of communityOf) if (s.level === 'community' ? com === s.code : subOf.get(com) === s.code) out.add(g);
  return out;
}

/** The live figures `base` with everything the cases' timestamps tell replaced by the moment's. */
function atMoment(ctx: WallContext, base: WallMetrics, f: MomentFigures): WallMetrics {
  const { communityOf, subOf } = ctx.data;
  const zero: MomentCounts = { today: 0, resolvedToday: 0, open: 0, overdue: 0 };
  const byDivision = new Map<string, MomentCounts>();
  for (const [g, c] of f.byGrid) {
    const com = communityOf.get(g);
    for (const code of com ? [com, subOf.get(com) ?? ''] : []) {
      const d = byDivision.get(code) ?? { ...zero };
      d.today += c.today;
      d.open += c.open;
      d.overdue += c.overdue;
      byDivision.set(code, d);
    }
  }
  const rank = (rows: RankRow[]) => rows
    .map((r) => { const c = byDivision.get(r.code) ?? zero; return { ...r, open: c.open, overdue: c.overdue, today: c.today }; })
    .sort((a, b) => b.open - a.open || b.recent - a.recent || a.code.localeCompare(b.code));
  return {
    ...base,
    now: new Date(ctx.replay.cursor).toISOString(),
    dayStart: new Date(ctx.replay.start).toISOString(),
    grids: base.grids.map((g) => { const c = f.byGrid.get(g.gridId) ?? zero; return { ...g, open: c.open, overdue: c.overdue }; }),
    // Figures over the last 30 days (solved share, mean time to resolve) are not replayed: shown as —.
    totals: { ...base.totals, today: f.today, resolvedToday: f.resolvedToday, open: f.open, overdue: f.overdue, recent: Number.NaN, solved: Number.NaN, gridSolvedShare: null, avgCloseHours: null },
    ranking: { subdistricts: rank(base.ranking.subdistricts), communities: rank(base.ranking.communities) },
    series: { hourlyCreated: f.hourlyCreated, hourlyResolved: f.hourlyResolved, daily: f.daily },
  };
}

/** The ticker while replaying: the last cases reported before the replayed moment. */
export function replayTicker(ctx: WallContext): void {
  const { store, cursor } = ctx.replay;
  const tc = cursor / 1000;
  const rows: number[] = [];
  for (let i = 0; i < store.n; i++) if (store.t[i]! <= tc) rows.push(i);
  rows.sort((a, b) => store.t[b]! - store.t[a]!);
  const names = ctx.data.categoryNames;
  const hm = (t: number) => new Intl.DateTimeFormat('zh-CN', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' }).format(new Date(t * 1000));
  $('#ticker').replaceChildren(...rows.slice(0, ctx.ui.layout === 'ultrawide' ? 12 : 9).map((i) => {
    const cat = store.categories[store.cat[i]!]!;
    const resolved = store.r[i]! > 0 && store.r[i]! <= tc;
    const overdue = !resolved && store.d[i]! > 0 && store.d[i]! < tc;
    const li = h('li', { 'data-id': store.id[i]! },
      h('span', { class: 'cat' }, names.get(cat) ?? cat),
      h('span', { class: 'tm' }, hm(store.t[i]!)),
      h('span', { class: `st ${overdue ? 'overdue' : resolved ? 'closed' : 'open'}` }, overdue ? '超期' : resolved ? '已办结' : '办理中'),
      h('span', { class: 'ds' }, '回放'),
      h('span', { class: 'wh' }, shortGridName(ctx.data.gridFeature.get(store.grid[i]!)?.properties.name, 2)));
    li.style.setProperty('--c', categoryColor(cat));
    return li;
  }));
  $('#ticker-note').textContent = `回放 · 截至此刻上报 ${rows.filter((i) => store.t[i]! * 1000 >= ctx.replay.start).length} 件`;
}

export function setupReplay(ctx: WallContext): void {
  const { replay, hooks, params } = ctx;
  const body = document.body;
  const touched = () => ctx.act.touched();
  const replayEl = $('#replay');
  const replaySlider = $('#replay-slider') as HTMLInputElement;
  const replayDay = $('#replay-day') as HTMLSelectElement;
  const replaySpeed = $('#replay-speed') as HTMLSelectElement;
  const replayPlay = $('#replay-play');
  replayDay.replaceChildren(...Array.from({ length: 7 }, (_, i) => {
    const d = beijingDate(Date.now() - (i + 1) * 86_400_000);
    return h('option', { value: d }, i === 0 ? `${d}（昨日）` : d);
  }));
  if (![...replaySpeed.options].some((o) => Number(o.value) === params.speed)) replaySpeed.append(h('option', { value: params.speed }, `${params.speed}×`));
  replaySpeed.value = String(params.speed);

  const replayTimeLabel = () => {
    const mins = Math.floor((replay.cursor - replay.start) / 60_000);
    $('#replay-time').textContent = `${String(Math.floor(mins / 60)).padStart(2, '0')}:${String(mins % 60).padStart(2, '0')}`;
    replaySlider.value = String(Math.min(1440, mins));
    let reported = 0;
    let resolved = 0;
    const tc = replay.cursor / 1000;
    const t0 = replay.start / 1000;
    for (let i = 0; i < replay.store.n; i++) {
      if (replay.store.t[i]! <= tc && replay.store.t[i]! >= t0) reported++;
      if (replay.store.r[i]! && replay.store.r[i]! <= tc && replay.store.r[i]! >= t0) resolved++;
    }
    $('#replay-count').textContent = `截至此刻上报 ${reported} 件 · 办结 ${resolved} 件`;
    hooks.replay = { active: replay.active, day: replay.day, cursor: replay.cursor, points: replay.store.n, loops: replay.loops };
  };
  const replayTick = () => {
    if (!replay.active) return;
    const now = performance.now();
    const dt = now - replay.lastFrame;
    replay.lastFrame = now;
    if (!replay.playing) return;
    const prev = replay.cursor;
    replay.cursor = Math.min(replay.start + 86_400_000, replay.cursor + dt * replay.speed);
    // Cases landing in this step pulse (a few at most per step at high speed).
    let shown = 0;
    for (let i = 0; i < replay.store.n && shown < 4; i++) {
      const t = replay.store.t[i]! * 1000;
      if (t > prev && t <= replay.cursor) {
        shown++;
        ctx.fx.pulse([replay.store.lon[i]!, replay.store.lat[i]!], hexToRgba(categoryColor(replay.store.categories[replay.store.cat[i]!]!)), { sizePx: Math.round(80 * ctx.ui.scale), rings: 2, durationMs: 2500 });
      }
    }
    hooks.pulses = ctx.fx.pulseCount;
    if (replay.cursor >= replay.start + 86_400_000) {
      replay.loops++;
      replay.cursor = replay.start; // loop: an unattended wall keeps replaying
    }
    replayTimeLabel();
    ctx.act.requestHeat(200);
    if (now - lastFigures > 500) ctx.act.refreshReplay();
  };
  let lastFigures = 0;
  ctx.act.refreshReplay = () => {
    lastFigures = performance.now();
    const { state } = ctx;
    if (!replay.active || !state.all) return;
    const at = replay.cursor / 1000;
    const dayStart = replay.start / 1000;
    const all = atMoment(ctx, state.all, figuresAt(replay.store, at, dayStart));
    const grids = gridsOf(ctx, state.sel);
    const scoped = grids ? atMoment(ctx, state.scoped ?? state.all, figuresAt(replay.store, at, dayStart, (i) => grids.has(replay.store.grid[i]!))) : all;
    state.replayed = { all, scoped };
    ctx.act.showFigures(all.grids, { ticker: true });
  };
  /** Back to the live figures. */
  const liveFigures = () => {
    const { state } = ctx;
    state.replayed = null;
    ctx.act.showFigures(state.all?.grids ?? [], { ticker: true });
  };
  ctx.act.seekReplay = (minutes: number) => {
    if (!replay.active) return;
    replay.playing = false;
    replayPlay.textContent = '▶';
    replay.cursor = replay.start + Math.max(0, Math.min(1440, minutes)) * 60_000;
    replayTimeLabel();
    ctx.act.refreshReplay();
    ctx.act.requestHeat(0);
  };

  ctx.act.startReplay = async (day: string, speed = replay.speed) => {
    if (!ctx.state.cases) return; // the role may not see cases
    const start = beijingMidnight(day);
    const data = await wallApi.points(new Date(start - DAYS_BEFORE * DAY_MS), new Date(start + DAY_MS));
    replay.store.clear();
    replay.store.merge(data);
    Object.assign(replay, { active: true, day, start, cursor: start, speed, playing: true, lastFrame: performance.now(), loops: 0 });
    replayDay.value = day;
    if (![...replaySpeed.options].some((o) => Number(o.value) === speed)) replaySpeed.append(h('option', { value: speed }, `${speed}×`));
    replaySpeed.value = String(speed);
    replayEl.hidden = false;
    body.classList.add('replaying');
    $('#replay-btn').classList.add('on');
    replayPlay.textContent = '❚❚';
    clearInterval(replay.timer);
    replay.timer = setInterval(replayTick, 100);
    replayTimeLabel();
    ctx.act.refreshReplay();
    ctx.act.requestHeat(0);
  };
  ctx.act.stopReplay = () => {
    replay.active = false;
    replay.playing = false;
    clearInterval(replay.timer);
    replay.store.clear();
    replayEl.hidden = true;
    body.classList.remove('replaying');
    $('#replay-btn').classList.remove('on');
    hooks.replay = { active: false, day: null, cursor: 0, points: 0, loops: replay.loops };
    liveFigures();
    ctx.act.requestHeat(0);
  };
  $('#replay-btn').addEventListener('click', () => { touched(); if (replay.active) ctx.act.stopReplay(); else void ctx.act.startReplay(replayDay.value || beijingDate(Date.now() - 86_400_000)); });
  $('#replay-exit').addEventListener('click', () => { touched(); ctx.act.stopReplay(); });
  replayPlay.addEventListener('click', () => {
    touched();
    replay.playing = !replay.playing;
    replay.lastFrame = performance.now();
    replayPlay.textContent = replay.playing ? '❚❚' : '▶';
  });
  replayDay.addEventListener('change', () => { touched(); void ctx.act.startReplay(replayDay.value); });
  replaySpeed.addEventListener('change', () => { touched(); replay.speed = Number(replaySpeed.value); });
  replaySlider.addEventListener('input', () => {
    touched();
    replay.cursor = replay.start + Number(replaySlider.value) * 60_000;
    replayTimeLabel();
    ctx.act.refreshReplay();
    ctx.act.requestHeat(100);
  });
}
