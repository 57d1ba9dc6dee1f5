// 随手拍 (/report): a resident without an account verifies a mobile number by a code, takes a photo,
// pins the place on the district's own base map and describes the problem; the case goes into the
// one intake. The answer's private link (/report#case=…, kept in the fragment so it never reaches a
// server log or a Referer) opens the same page in follow mode: progress, and the rating once the
// case is resolved or verified.
import '../../styles/app.css';
import './report.css';
import { toWgs84 } from '../../../../core/crs.js';
import type { PublicCaseView, PublicDistrict } from '../../../../core/public-contract.js';
import type { InputCrs } from '../../../../core/types.js';
import type { Rating } from '../../../../core/workflow.js';
import { newClientKey } from '../../api/client-key.js';
import { publicApi, publicErrorText } from '../../api/public.js';
import type { LayerSpec, LonLat } from '../../map/map-view.js';
import { MaplibreView } from '../../map/maplibre/maplibre-view.js';
import { $, h } from '../../shell/dom.js';
import { shrinkPhoto, previewUrl } from '../../ui/cases/photo.js';

const input = (sel: string) => $(sel) as HTMLInputElement;
const say = (sel: string, text: string) => { $(sel).textContent = text; };

interface Pin { wgs84: LonLat; sent: LonLat; crs: InputCrs }
const state: { phone: string; ticket: string | null; pin: Pin | null; photo: Blob | null; photoId: number | null; clientKey: string; busy: boolean } = {
  phone: '', ticket: null, pin: null, photo: null, photoId: null, clientKey: newClientKey('r'), busy: false,
};
let view: MaplibreView | null = null;

function pinLayers(): LayerSpec[] {
  const data = state.pin ? [{ id: 'pin', position: state.pin.wgs84, properties: {} }] : [];
  return [{ kind: 'points', id: 'pin', data, color: [200, 16, 46, 255], radius: 10, strokeColor: [255, 255, 255, 255], strokeWidth: 3 }];
}

function setPin(p: Pin): void {
  state.pin = p;
  view?.setLayers(pinLayers());
  say('#pin-text', `已标注：${p.wgs84[0].toFixed(5)}, ${p.wgs84[1].toFixed(5)}${p.crs === 'wgs84' ? '' : `（由 ${p.crs === 'gcj02' ? 'GCJ-02' : 'BD-09'} 坐标换算）`}`);
  // A new place is a new report: a retry of the same one keeps its key.
  state.clientKey = newClientKey('r');
}

async function startMap(d: PublicDistrict): Promise<void> {
  view = new MaplibreView({ container: $('#map'), bbox: d.bbox, tilesUrl: d.tilesUrl, attribution: d.attribution, padding: 8 });
  view.onClick((e) => setPin({ wgs84: e.lngLat, sent: e.lngLat, crs: 'wgs84' }));
  await view.ready();
  view.setLayers(pinLayers());
  await view.rendered();
  const v = view;
  Object.assign(window, { __gcReport: { project: (lon: number, lat: number) => { const p = v.project([lon, lat]); return [p.x, p.y]; } } });
  document.body.dataset.ready = 'true';
}

async function sendCode(): Promise<void> {
  const btn = $('#send-code') as HTMLButtonElement;
  btn.disabled = true;
  say('#phone-msg', '');
  try {
    const c = await publicApi.requestCode(input('#phone').value, 'report');
    const note = $('#code-note');
    note.hidden = false;
    note.replaceChildren(c.delivery === 'dev'
      ? h('span', {}, '开发模式（未接入短信网关）验证码：', h('b', { id: 'dev-code' }, c.devCode ?? ''))
      : c.delivery === 'desk'
        ? '验证码已生成。本系统未接入短信网关：请致电或前往社区服务台，工作人员核实后告知验证码（10 分钟内有效）。'
        : `验证码已发送至 ${c.phone}，10 分钟内有效。`);
    setTimeout(() => { btn.disabled = false; }, 60_000);
  } catch (e) {
    btn.disabled = false;
    say('#phone-msg', publicErrorText(e));
  }
}

async function verify(): Promise<void> {
  say('#phone-msg', '');
  try {
    const t = await publicApi.verify(input('#phone').value, 'report', input('#code').value);
    state.ticket = t.ticket;
    state.phone = input('#phone').value;
    $('#step-phone').hidden = true;
    $('#step-report').hidden = false;
    say('#verified-as', `已验证手机号 ${t.phone}`);
    const d = await publicApi.district();
    const sel = $('#category') as HTMLSelectElement;
    sel.replaceChildren(...d.categories.map((c) => h('option', { value: c.code }, c.name)));
    await startMap(d);
  } catch (e) {
    say('#phone-msg', publicErrorText(e));
  }
}

async function choosePhoto(): Promise<void> {
  const file = input('#photo').files?.[0];
  if (!file) return;
  state.photo = await shrinkPhoto(file).catch(() => file);
  state.photoId = null;
  const img = $('#photo-preview') as HTMLImageElement;
  img.src = previewUrl(state.photo).url;
  img.hidden = false;
}

function applyCoord(): void {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(input('#coord').value);
  if (!m) {
    say('#report-msg', '坐标格式：经度,纬度');
    return;
  }
  const crs = ($('#coord-crs') as HTMLSelectElement).value as InputCrs;
  const sent: LonLat = [Number(m[1]), Number(m[2])];
  setPin({ wgs84: toWgs84(sent, crs), sent, crs });
  say('#report-msg', '');
}

async function submit(): Promise<void> {
  if (state.busy || !state.ticket) return;
  const desc = ($('#description') as HTMLTextAreaElement).value.trim();
  if (!state.photo) return say('#report-msg', '请拍摄或选择一张现场照片');
  if (!state.pin) return say('#report-msg', '请在地图上点击问题所在位置');
  if (desc.length < 2) return say('#report-msg', '请简要描述问题');
  state.busy = true;
  ($('#submit') as HTMLButtonElement).disabled = true;
  say('#report-msg', '正在提交…');
  try {
    state.photoId ??= (await publicApi.uploadPhoto(state.ticket, state.photo)).id;
    const r = await publicApi.report(state.ticket, {
      phone: state.phone, category: ($('#category') as HTMLSelectElement).value, description: desc,
      lon: state.pin.sent[0], lat: state.pin.sent[1], crs: state.pin.crs, photos: [state.photoId], clientKey: state.clientKey,
    });
    $('#step-report').hidden = true;
    $('#filed').hidden = false;
    say('#filed-id', `#${r.caseId}`);
    say('#filed-status', r.statusName);
    const a = $('#track-link') as HTMLAnchorElement;
    a.href = r.trackUrl;
    a.textContent = `${location.origin}${r.trackUrl}`;
    document.body.dataset.filed = String(r.caseId);
  } catch (e) {
    say('#report-msg', publicErrorText(e));
  } finally {
    state.busy = false;
    ($('#submit') as HTMLButtonElement).disabled = false;
  }
}

// ---- Follow mode ----

const fmt = (iso: string) => new Date(iso).toLocaleString('zh-CN', { hour12: false });

function showCase(c: PublicCaseView): void {
  $('#track').hidden = false;
  say('#t-id', `#${c.caseId}`);
  say('#t-category', c.categoryName);
  say('#t-community', c.communityName ?? '');
  say('#t-status', c.statusName);
  say('#t-desc', c.description);
  $('#t-merged').hidden = c.mergedInto === null;
  if (c.survivor) say('#t-merged', `该问题已有其他居民上报，已并入案件 #${c.survivor.caseId} 合并办理，当前状态：${c.survivor.statusName}。`);
  $('#t-steps').replaceChildren(...c.steps.map((s) => h('li', {}, `${fmt(s.at)} ${s.name}`)));
  say('#t-points', c.points > 0 ? `本次上报获得积分 ${c.points} 分` : '核查有效后可获得随手拍积分');
  $('#rate-box').hidden = !c.canRate;
  const rated = $('#t-rated');
  rated.hidden = c.rating === null;
  const names: Record<Rating, string> = { satisfied: '满意', basically_satisfied: '基本满意', dissatisfied: '不满意' };
  if (c.rating) rated.textContent = `您的评价：${names[c.rating]}（${c.ratedAt ? fmt(c.ratedAt) : ''}）`;
  document.body.dataset.caseStatus = c.status;
}

async function follow(token: string): Promise<void> {
  $('#step-phone').hidden = true;
  try {
    showCase(await publicApi.trackedCase(token));
  } catch (e) {
    $('#track').hidden = false;
    say('#track-msg', publicErrorText(e));
  }
  for (const b of $('#rate-box').querySelectorAll<HTMLButtonElement>('button[data-rating]')) {
    b.addEventListener('click', async () => {
      say('#track-msg', '');
      try {
        showCase(await publicApi.rate(token, b.dataset.rating as Rating, input('#rate-note').value.trim() || undefined));
      } catch (e) {
        say('#track-msg', publicErrorText(e));
      }
    });
  }
  document.body.dataset.ready = 'true';
}

function main(): void {
  void publicApi.district().then((d) => say('#district-name', d.name)).catch(() => undefined);
  const token = new URLSearchParams(location.hash.slice(1)).get('case');
  if (token) {
    void follow(token);
    return;
  }
  $('#send-code').addEventListener('click', () => void sendCode());
  $('#verify').addEventListener('click', () => void verify());
  input('#photo').addEventListener('change', () => void choosePhoto());
  $('#coord-apply').addEventListener('click', applyCoord);
  $('#submit').addEventListener('click', () => void submit());
  document.body.dataset.ready = 'phone';
}

window.addEventListener('hashchange', () => location.reload());
main();
