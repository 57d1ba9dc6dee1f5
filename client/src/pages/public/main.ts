// The community's public page (/public/<code>, 向群众汇报): this month's cases received and solved by
// category, the solve share, projects done, the 随手拍 leaderboard (masked) and the year's 一年一事
// vote: one vote per resident, by a verified phone or a one-time link from the desk (#vote=…).
import '../../styles/app.css';
import '../report/report.css';
import type { VoteResults } from '../../../../core/public-contract.js';
import { publicApi, publicErrorText } from '../../api/public.js';
import { $, h } from '../../shell/dom.js';

const code = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] ?? new URLSearchParams(location.search).get('code') ?? '');
const linkOf = () => new URLSearchParams(location.hash.slice(1)).get('vote');
let link = linkOf();
let ticket: string | null = null;
const say = (sel: string, text: string) => { $(sel).textContent = text; };
const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 1000) / 10}%`);

function renderVotes(v: VoteResults): void {
  say('#vote-year', String(v.year));
  say('#vote-total', String(v.total));
  const canVote = Boolean(ticket || link);
  $('#projects').replaceChildren(...(v.projects.length ? v.projects.map((p) => h('div', { class: 'pb-project', 'data-project': String(p.projectId) },
    h('b', {}, p.title), ' ', h('span', { class: 'pr-hint' }, `${p.votes} 票（${pct(p.share)}）`),
    p.description ? h('div', { class: 'pr-hint' }, p.description) : '',
    h('div', { class: 'pb-bar' }, h('i', { style: `width:${Math.round(p.share * 100)}%` })),
    p.status === 'candidate' && canVote ? h('button', { type: 'button', class: 'vote-btn', 'data-id': String(p.projectId) }, '投这一项') : '',
  )) : [h('p', { class: 'pr-hint' }, '本年度暂无候选项目')]));
  for (const b of $('#projects').querySelectorAll<HTMLButtonElement>('button.vote-btn')) {
    b.addEventListener('click', () => void vote(Number(b.dataset.id)));
  }
  $('#vote-verify').hidden = canVote;
}

async function vote(projectId: number): Promise<void> {
  say('#vote-msg', '');
  try {
    const v = await publicApi.vote(code, projectId, link ? { link } : { ticket: ticket! });
    if (link) {
      // A desk link is good for one vote: forget it (and drop it from the address bar).
      link = null;
      history.replaceState(null, '', location.pathname + location.search);
    }
    renderVotes(v);
    say('#vote-who', '投票成功，感谢参与！');
  } catch (e) {
    say('#vote-msg', publicErrorText(e));
  }
}

async function load(): Promise<void> {
  const [s, v, b] = await Promise.all([publicApi.summary(code), publicApi.votes(code), publicApi.leaderboard(code)]);
  document.title = `${s.name} · 向群众汇报`;
  say('#c-name', s.name);
  say('#month', s.month);
  $('#synthetic').hidden = !s.synthetic;
  say('#k-received', String(s.received));
  say('#k-solved', String(s.solved));
  say('#k-share', pct(s.solveShare));
  $('#by-category').querySelector('tbody')!.replaceChildren(...(s.byCategory.length ? s.byCategory.map((c) => h('tr', { 'data-category': c.category },
    h('td', {}, c.name), h('td', { class: 'n' }, String(c.received)), h('td', { class: 'n' }, String(c.solved))))
    : [h('tr', {}, h('td', { colspan: '3' }, '本月暂无案件'))]));
  $('#done').replaceChildren(...(s.projectsDone.length ? s.projectsDone.map((p) => h('li', {}, `${p.title}（${p.year} 年，${new Date(p.doneAt).toLocaleDateString('zh-CN')} 完成）`))
    : [h('li', {}, '暂无')]));
  $('#board').replaceChildren(...(b.rows.length ? b.rows.map((r) => h('li', {}, `${r.name} ${r.points} 分`)) : [h('li', {}, '暂无积分')]));
  if (link) say('#vote-who', '您正在使用社区服务台发放的一次性投票链接');
  renderVotes(v);
  document.body.dataset.ready = 'true';
}

$('#v-send').addEventListener('click', async () => {
  say('#vote-msg', '');
  try {
    const c = await publicApi.requestCode(($('#v-phone') as HTMLInputElement).value, 'vote');
    const note = $('#v-note');
    note.hidden = false;
    note.replaceChildren(c.delivery === 'dev' ? h('span', {}, '开发模式（未接入短信网关）验证码：', h('b', { id: 'v-dev-code' }, c.devCode ?? ''))
      : '验证码已生成。本系统未接入短信网关：请向社区服务台索取验证码（10 分钟内有效）。');
  } catch (e) {
    say('#vote-msg', publicErrorText(e));
  }
});
$('#v-verify').addEventListener('click', async () => {
  say('#vote-msg', '');
  try {
    const t = await publicApi.verify(($('#v-phone') as HTMLInputElement).value, 'vote', ($('#v-code') as HTMLInputElement).value);
    ticket = t.ticket;
    say('#vote-who', `已验证 ${t.phone}，请选择一个项目投票`);
    renderVotes(await publicApi.votes(code));
  } catch (e) {
    say('#vote-msg', publicErrorText(e));
  }
});

// A desk link pasted or opened into a page already showing: take it up without a reload.
window.addEventListener('hashchange', () => {
  const next = linkOf();
  if (!next || next === link) return;
  link = next;
  say('#vote-who', '您正在使用社区服务台发放的一次性投票链接');
  void publicApi.votes(code).then(renderVotes, (e: unknown) => say('#vote-msg', publicErrorText(e)));
});

load().catch((e: unknown) => {
  say('#c-name', '社区不存在');
  say('#vote-msg', publicErrorText(e));
  document.body.dataset.ready = 'error';
});
