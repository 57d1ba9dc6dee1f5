// 登录 (login.html): username + password; a forced password change when the account must set its
// own; then back to ?next= (same-origin paths only) or the portal.
import '../../styles/app.css';
import { api, ApiError, clearKiosk, currentAccount, isKiosk, setCsrfToken } from '../../api/http.js';
import { safeNext } from '../../shell/auth.js';
import { $ } from '../../shell/dom.js';
import { errorMessage } from '../../shell/errors.js';
import { newPasswordProblem } from '../../shell/password.js';

const next = safeNext(new URLSearchParams(location.search).get('next'));
const loginForm = $('#login-form') as HTMLFormElement;
const changeForm = $('#change-form') as HTMLFormElement;
const user = $('#username') as HTMLInputElement;
const pass = $('#password') as HTMLInputElement;
const cur = $('#current-password') as HTMLInputElement;
const np = $('#new-password') as HTMLInputElement;
const rp = $('#repeat-password') as HTMLInputElement;

/** The password just typed at login: the forced change needs it and should not ask again. */
let loginPassword: string | null = null;

function setError(el: HTMLElement, message: string | null) {
  el.textContent = message ?? '';
  el.hidden = !message;
}

function busy(btn: HTMLButtonElement, on: boolean, label: string) {
  btn.disabled = on;
  btn.classList.toggle('busy', on);
  btn.textContent = on ? `${label}…` : label;
}

function go() {
  document.body.dataset.state = 'done';
  location.replace(next);
}

function showLogin() {
  changeForm.hidden = true;
  loginForm.hidden = false;
  document.body.dataset.state = 'login';
  user.focus();
}

function showChange(knownPassword: string | null, username?: string) {
  loginPassword = knownPassword;
  if (username) $('#change-sub').textContent = `账号 ${username}：首次登录或密码被重置后，须先设置自己的新密码。`;
  loginForm.hidden = true;
  changeForm.hidden = false;
  $('#current-row').hidden = knownPassword !== null;
  cur.required = knownPassword === null;
  document.body.dataset.state = 'change-password';
  (knownPassword === null ? cur : np).focus();
}

function loginMessage(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.code === 'invalid_credentials') return '用户名或密码错误';
    if (e.code === 'rate_limited') return '登录失败次数过多，账号已暂时锁定，请 15 分钟后再试';
  }
  return errorMessage(e);
}

loginForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const err = $('#login-error');
  const btn = $('#login-submit') as HTMLButtonElement;
  setError(err, null);
  const username = user.value.trim();
  if (!username || !pass.value) {
    setError(err, !username ? '请输入用户名' : '请输入密码');
    (!username ? user : pass).focus();
    return;
  }
  // A person logging in ends this tab's read-only wall mode (its token would be sent instead).
  clearKiosk();
  busy(btn, true, '登录');
  try {
    const { account } = await api.login(username, pass.value);
    setCsrfToken(account.csrfToken);
    if (account.mustChangePassword) showChange(pass.value, account.username);
    else go();
  } catch (e) {
    setError(err, loginMessage(e));
    pass.value = '';
    pass.focus();
  } finally {
    busy(btn, false, '登录');
  }
});

function updateRules() {
  const v = np.value;
  const rules: Record<string, boolean> = { len: v.length >= 10, mix: /[A-Za-z]/.test(v) && /\d/.test(v), same: v.length > 0 && v === rp.value };
  for (const li of $('#pw-rules').querySelectorAll<HTMLElement>('li')) li.classList.toggle('ok', !!rules[li.dataset.rule ?? '']);
}
np.addEventListener('input', updateRules);
rp.addEventListener('input', updateRules);

changeForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const err = $('#change-error');
  const btn = $('#change-submit') as HTMLButtonElement;
  setError(err, null);
  const current = loginPassword ?? cur.value;
  if (!current) {
    setError(err, '请输入当前密码');
    cur.focus();
    return;
  }
  const problem = newPasswordProblem(np.value, rp.value, current);
  if (problem) {
    setError(err, problem);
    np.focus();
    return;
  }
  busy(btn, true, '保存并进入系统');
  try {
    await api.changePassword(current, np.value);
    go();
  } catch (e) {
    setError(err, e instanceof ApiError && e.code === 'invalid_credentials' ? '当前密码不正确' : errorMessage(e));
  } finally {
    busy(btn, false, '保存并进入系统');
  }
});

$('#change-cancel').addEventListener('click', async () => {
  await api.logout().catch(() => undefined);
  np.value = rp.value = cur.value = pass.value = '';
  showLogin();
});

async function main() {
  if (isKiosk()) {
    const n = $('#login-notice');
    n.textContent = '此标签页当前为只读大屏模式。登录账号后将退出大屏模式。';
    n.hidden = false;
    showLogin();
    return;
  }
  // Already signed in: straight on, or first the password change the server insists on.
  const a = await currentAccount().catch(() => null);
  if (a?.kind === 'account' && a.mustChangePassword) showChange(null, a.username);
  else if (a?.kind === 'account') go();
  else showLogin();
}

void main();
