// The shell: login, routing, sidebar, connection indicator, theme and user menu.
import { api, session, setUnauthorizedHandler, ApiError } from './api.js';
import { h, clear, setText } from './dom.js';
import { icon } from './icons.js';
import { LiveConnection } from './ws.js';
import { state, on, emit } from './store.js';
import { toast, confirmDialog } from './ui.js';
import { leaveWarning } from './nav.js';
import { startRates } from './rates.js';
import { startActivity } from './activity.js';

const PAGES = [
  { id: 'dashboard', label: 'Dashboard', title: 'Dashboard', icon: 'dashboard' },
  { id: 'simulator', label: 'Simulator', title: 'SNMP Simulator', icon: 'simulator' },
  { id: 'walker', label: 'Walk & Parse', title: 'Walk & Parse', icon: 'walker' },
  { id: 'traps', label: 'Traps', title: 'Trap Manager', icon: 'traps' },
  { id: 'browser', label: 'MIB Browser', title: 'MIB Browser', icon: 'browser' },
  { id: 'mibs', label: 'MIB Manager', title: 'MIB Manager', icon: 'mibs' },
  { id: 'settings', label: 'Settings', title: 'Settings', icon: 'settings' },
];
const CONN_TEXT = { connecting: 'Connecting', online: 'Online', offline: 'Offline', unauthorized: 'Unauthorized' };
const THEME_KEY = 'snmplab_theme';

const $ = (id) => document.getElementById(id);
let live = null;
let current = { id: null, cleanup: null };
let routeToken = 0;

/* ---------- theme ---------- */
function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  const btn = $('theme-toggle');
  clear(btn).append(icon(theme === 'dark' ? 'sun' : 'moon'));
  btn.setAttribute('aria-label', theme === 'dark' ? 'Switch to light mode' : 'Switch to dark mode');
  btn.title = btn.getAttribute('aria-label');
  emit('theme', theme);
}

function initTheme() {
  const saved = localStorage.getItem(THEME_KEY);
  const theme = saved || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  applyTheme(theme);
  $('theme-toggle').addEventListener('click', () => {
    const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem(THEME_KEY, next);
    applyTheme(next);
  });
}

/* ---------- shell ---------- */
function buildNav() {
  const nav = $('nav');
  for (const p of PAGES) {
    nav.append(h('li', {}, h('a', { href: `#${p.id}`, dataset: { page: p.id }, title: p.label },
      icon(p.icon), h('span', { class: 'nav-label', text: p.label }))));
  }
  const toggle = $('sidebar-toggle');
  toggle.append(icon('menu'));
  const collapsed = localStorage.getItem('snmplab_sidebar') === 'collapsed';
  $('app-view').classList.toggle('collapsed', collapsed);
  toggle.setAttribute('aria-expanded', String(!collapsed));
  toggle.addEventListener('click', () => {
    const c = $('app-view').classList.toggle('collapsed');
    localStorage.setItem('snmplab_sidebar', c ? 'collapsed' : 'open');
    toggle.setAttribute('aria-expanded', String(!c));
  });
}

/* ---------- unseen traps badge on the sidebar ---------- */
let unseen = 0;
let unseenQueued = false;
function renderUnseen() {
  unseenQueued = false;
  const link = document.querySelector('#nav a[data-page="traps"]');
  if (!link) return;
  let b = link.querySelector('.nav-count');
  if (!unseen) { if (b) b.remove(); link.removeAttribute('aria-description'); return; }
  if (!b) { b = h('span', { class: 'nav-count', attrs: { 'aria-hidden': 'true' } }); link.append(b); }
  setText(b, unseen > 999 ? '999+' : String(unseen));
  link.setAttribute('aria-description', `${unseen} new traps`);
}
function countUnseen() {
  if (current.id === 'traps') return;
  unseen += 1;
  if (!unseenQueued) { unseenQueued = true; requestAnimationFrame(renderUnseen); }
}

function initUserMenu() {
  const btn = $('user-menu-button');
  const list = $('user-menu-list');
  btn.prepend(icon('user', 16));
  const setOpen = (open) => {
    list.hidden = !open;
    btn.setAttribute('aria-expanded', String(open));
    if (open) list.querySelector('[role="menuitem"]').focus();
  };
  btn.addEventListener('click', () => setOpen(list.hidden));
  document.addEventListener('click', (e) => { if (!$('user-menu').contains(e.target)) setOpen(false); });
  list.addEventListener('keydown', (e) => {
    const items = [...list.querySelectorAll('[role="menuitem"]')];
    const i = items.indexOf(document.activeElement);
    if (e.key === 'Escape') { setOpen(false); btn.focus(); }
    else if (e.key === 'ArrowDown') { e.preventDefault(); items[(i + 1) % items.length].focus(); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); items[(i - 1 + items.length) % items.length].focus(); }
  });
  $('menu-settings').addEventListener('click', () => setOpen(false));
  $('menu-logout').addEventListener('click', () => { setOpen(false); logout(true); });
}

function showConn(s) {
  const el = $('conn');
  el.dataset.state = s;
  setText($('conn-text'), CONN_TEXT[s] || s);
  el.title = s === 'online' ? 'Live updates connected' : s === 'connecting' ? 'Connecting to live updates' : s === 'unauthorized' ? 'Session rejected' : 'Live updates disconnected; retrying';
}

/* ---------- routing ---------- */
function parseHash() {
  const raw = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  const [id, ...rest] = raw.split('/');
  const page = PAGES.find((p) => p.id === id) ? id : 'dashboard';
  return { page, args: rest };
}

let lastHash = location.hash;
let confirming = false;
let leaveConfirmed = false;

async function route() {
  if (!session.token) return;
  const { page, args } = parseHash();
  // Unsaved work on the current page: ask before leaving it (not for tab switches inside it).
  if (current.id && page !== current.id && !leaveConfirmed) {
    const warning = leaveWarning();
    if (warning) {
      if (confirming) return;
      confirming = true;
      const target = location.hash;
      history.replaceState(null, '', lastHash);
      const ok = await confirmDialog('Leave this page?', warning, { confirmLabel: 'Leave', danger: true });
      confirming = false;
      if (!ok) return;
      history.replaceState(null, '', target);
      leaveConfirmed = true;
      try { return await route(); } finally { leaveConfirmed = false; }
    }
  }
  lastHash = location.hash;
  const token = ++routeToken;
  const def = PAGES.find((p) => p.id === page);
  if (current.cleanup) {
    try { current.cleanup(); } catch (e) { console.error(e); }
    current.cleanup = null;
  }
  current.id = page;
  if (page === 'traps' && unseen) { unseen = 0; renderUnseen(); }
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.page === page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  setText($('page-title'), def.title);
  document.title = `${def.title} · snmplab`;
  const main = $('main');
  clear(main);
  main.dataset.page = page;
  let mod;
  try {
    mod = await import(`./pages/${page}.js`);
  } catch (e) {
    console.error(e);
    main.append(h('div', { class: 'alert error', text: `The ${def.label} page could not be loaded.` }));
    return;
  }
  if (token !== routeToken) return;
  try {
    current.cleanup = mod.mount(main, { args }) || null;
  } catch (e) {
    console.error(e);
    main.append(h('div', { class: 'alert error', text: `The ${def.label} page failed: ${e.message}` }));
  }
}

/* ---------- session ---------- */
function showLogin(message) {
  $('boot').hidden = true;
  $('app-view').hidden = true;
  $('login-view').hidden = false;
  const err = $('login-error');
  err.hidden = !message;
  setText(err, message || '');
  $('login-password').value = '';
  $('login-username').focus();
}

function showApp() {
  $('boot').hidden = true;
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  setText($('user-name'), session.user || 'admin');
  live = live || new LiveConnection({
    tokenFn: () => session.token,
    onUnauthorized: () => logout(false, 'Your session has ended. Please log in again.'),
    onNeverOpened: () => { api.get('/settings/check').catch(() => {}); },
  });
  live.start();
  startRates();
  startActivity();
  route();
}

export async function logout(callServer = true, message) {
  const token = session.token;
  if (callServer && token) {
    try { await api.post('/logout'); } catch (e) {
      if (e instanceof ApiError && e.status === 404) { try { await api.post('/settings/logout'); } catch { /* gone anyway */ } }
    }
  }
  if (live) live.stop();
  if (current.cleanup) { try { current.cleanup(); } catch { /* page gone */ } current.cleanup = null; }
  clear($('main'));
  session.clear();
  unseen = 0;
  renderUnseen();
  state.lastSeq = null;
  state.stats = {};
  showLogin(message);
}

async function submitLogin(e) {
  e.preventDefault();
  const username = $('login-username').value.trim();
  const password = $('login-password').value;
  const err = $('login-error');
  if (!username || !password) {
    err.hidden = false;
    setText(err, 'Enter your username and password.');
    return;
  }
  const btn = $('login-submit');
  btn.disabled = true;
  setText(btn, 'Logging in…');
  try {
    const res = await api.post('/login', { username, password }, { auth: false });
    session.set(res.token, res.username || username);
    err.hidden = true;
    showApp();
  } catch (ex) {
    err.hidden = false;
    setText(err, ex.status === 401 ? 'Wrong username or password.' : ex.message);
    $('login-password').select();
  } finally {
    btn.disabled = false;
    setText(btn, 'Log in');
  }
}

async function loadMeta() {
  try {
    const meta = await api.get('/meta', undefined, { auth: false });
    state.meta = meta;
    const v = meta && meta.version ? `v${meta.version}` : '';
    setText($('app-version'), v);
    setText($('login-version'), meta && meta.name ? `${meta.name} ${v}` : v);
  } catch { /* the page works without it */ }
}

async function boot() {
  initTheme();
  buildNav();
  initUserMenu();
  on('conn', showConn);
  on('trap', countUnseen);
  showConn('offline');
  setUnauthorizedHandler(() => { if (session.token) logout(false, 'Your session has ended. Please log in again.'); });
  $('login-form').addEventListener('submit', submitLogin);
  window.addEventListener('hashchange', route);
  loadMeta();
  if (!session.token) { showLogin(); return; }
  try {
    await api.get('/settings/check');
  } catch (e) {
    if (e.status === 401 || !session.token) return; // handler already showed the login
    if (e.status !== 404) toast(e.message, 'error');
  }
  if (session.token) showApp();
}

window.addEventListener('error', (e) => console.error(e.error || e.message));
window.addEventListener('unhandledrejection', (e) => {
  const r = e.reason;
  if (r && r.name === 'AbortError') return;
  console.error(r);
});

boot();
