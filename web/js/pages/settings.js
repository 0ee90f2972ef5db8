// Settings: credentials, application behaviour, stats export/reset, about.
import { h, field, switchControl, clear, setText } from '../dom.js';
import { api, session } from '../api.js';
import { state } from '../store.js';
import { toast, confirmDialog, downloadText } from '../ui.js';
import { sectionCard, kvList } from '../components.js';

function strength(pw) {
  let s = 0;
  if (pw.length >= 8) s++;
  if (pw.length >= 12) s++;
  if (/[a-z]/.test(pw) && /[A-Z]/.test(pw)) s++;
  if (/\d/.test(pw)) s++;
  if (/[^A-Za-z0-9]/.test(pw)) s++;
  return [['Very weak', '--danger'], ['Weak', '--danger'], ['Fair', '--warning'], ['Good', '--warning'], ['Strong', '--success'], ['Strong', '--success']][s].concat(s);
}

export function mount(root) {
  // ---- authentication ----
  const current = h('input', { id: 'set-current', type: 'password', autocomplete: 'current-password', required: true });
  const username = h('input', { id: 'set-username', autocomplete: 'username', placeholder: session.user || 'admin' });
  const pw = h('input', { id: 'set-password', type: 'password', autocomplete: 'new-password', required: true });
  const pw2 = h('input', { id: 'set-password2', type: 'password', autocomplete: 'new-password', required: true });
  const bar = h('span');
  const barLabel = h('span', { class: 'small muted', id: 'set-strength', text: '' });
  const err = h('p', { class: 'form-error', hidden: true, attrs: { role: 'alert' }, id: 'set-auth-error' });
  pw.addEventListener('input', () => {
    const [label, color, score] = strength(pw.value);
    bar.style.width = `${Math.max(8, (score / 5) * 100)}%`;
    bar.style.background = `var(${color})`;
    setText(barLabel, pw.value ? label : '');
  });
  const authForm = h('form', { class: 'grid', attrs: { 'aria-label': 'Change credentials' } },
    h('div', { class: 'stack' }, field('Current password', current), field('New user name (optional)', username),
      field('New password', pw, 'At least 8 characters; mix cases, digits and symbols.'), field('Confirm new password', pw2)),
    h('div', { class: 'strength', attrs: { 'aria-hidden': 'true' } }, bar), barLabel, err,
    h('div', { class: 'row' }, h('button', { class: 'btn btn-primary', type: 'submit', id: 'set-auth-submit', text: 'Change password' })));
  authForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.hidden = true;
    const fail = (m) => { err.hidden = false; setText(err, m); };
    if (!current.value) return fail('Enter your current password.');
    if (pw.value.length < 8) return fail('The new password must be at least 8 characters long.');
    if (pw.value !== pw2.value) return fail('The two new passwords differ.');
    const ok = await confirmDialog('Change password?', 'Every other session of this user is signed out. This session stays logged in.', { confirmLabel: 'Change password' });
    if (!ok) return;
    try {
      const r = await api.post('/settings/auth', { current_password: current.value, password: pw.value, username: username.value.trim() || undefined });
      toast(r.message || 'Password changed.', 'success');
      if (r.username) session.set(session.token, r.username);
      setText(document.getElementById('user-name'), session.user);
      for (const i of [current, pw, pw2, username]) i.value = '';
      pw.dispatchEvent(new Event('input'));
    } catch (ex) {
      fail(ex.status === 403 ? 'The current password is wrong.' : ex.message);
    }
  });

  // ---- application ----
  const autoSim = switchControl('Start the simulator when snmplab starts', true, { id: 'set-auto-sim' });
  const autoRcv = switchControl('Start the trap receiver when snmplab starts', true, { id: 'set-auto-rcv' });
  const timeout = h('input', { id: 'set-timeout', type: 'number', min: 60, max: 86400, step: 60 });
  const autoFetch = switchControl('Auto-fetch missing MIB dependencies during upload and reload', false, { id: 'set-autofetch' });
  const sources = h('textarea', { id: 'set-sources', rows: 3, spellcheck: false, class: 'mono' });
  const restartBadge = h('span', { class: 'badge warn', hidden: true, text: 'Applies at next start' });
  const appResult = h('span', { class: 'small muted', attrs: { 'aria-live': 'polite' } });
  const appForm = h('form', { class: 'grid', attrs: { 'aria-label': 'Application settings' } },
    h('fieldset', {}, h('legend', { text: 'Auto-start on boot' }), h('div', { class: 'grid' }, autoSim.label, autoRcv.label)),
    h('div', { class: 'stack' }, field('Session timeout (seconds of inactivity)', timeout, '60 to 86400')),
    h('fieldset', {}, h('legend', { text: 'Remote MIB fetch' }), h('div', { class: 'grid' }, autoFetch.label,
      field('Approved sources (one https URL per line, with @mib@; tried in order)', sources))),
    h('div', { class: 'row' }, h('button', { class: 'btn btn-primary', type: 'submit', id: 'set-app-submit', text: 'Save settings' }), restartBadge, appResult));
  let loaded = null;
  appForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {
      auto_start_simulator: autoSim.input.checked, auto_start_trap_receiver: autoRcv.input.checked,
      session_timeout: Number(timeout.value), mib_auto_fetch: autoFetch.input.checked,
      mib_remote_sources: sources.value.split('\n').map((s) => s.trim()).filter(Boolean),
    };
    try {
      const r = await api.post('/settings/app', body);
      loaded = r.settings || body;
      restartBadge.hidden = !r.restart_required;
      setText(appResult, 'Saved.');
      toast('Settings saved.', 'success');
    } catch (ex) {
      setText(appResult, '');
      toast(`Not saved: ${ex.message}`, 'error');
    }
  });
  api.get('/settings/app').then((s) => {
    loaded = s;
    autoSim.input.checked = Boolean(s.auto_start_simulator);
    autoRcv.input.checked = Boolean(s.auto_start_trap_receiver);
    timeout.value = s.session_timeout;
    autoFetch.input.checked = Boolean(s.mib_auto_fetch);
    sources.value = (s.mib_remote_sources || []).join('\n');
  }).catch((ex) => toast(`Could not load settings: ${ex.message}`, 'error'));

  // ---- stats ----
  const statsBox = h('div', { class: 'small muted', text: '' });
  const exportBtn = h('button', { class: 'btn', type: 'button', id: 'set-stats-export', text: 'Export stats' });
  const resetBtn = h('button', { class: 'btn btn-danger', type: 'button', id: 'set-stats-reset', text: 'Reset stats' });
  exportBtn.addEventListener('click', async () => {
    try {
      const s = await api.get('/stats');
      downloadText(JSON.stringify(s, null, 2), `snmplab-stats-${new Date().toISOString().slice(0, 10)}.json`, 'application/json');
    } catch (ex) { toast(`Export failed: ${ex.message}`, 'error'); }
  });
  resetBtn.addEventListener('click', async () => {
    if (!(await confirmDialog('Reset all stats?', 'Every counter of every service goes back to zero. Stored traps, walks and MIBs are kept.', { confirmLabel: 'Reset stats', danger: true }))) return;
    try { await api.del('/stats'); toast('Stats reset.', 'success'); } catch (ex) { toast(`Reset failed: ${ex.message}`, 'error'); }
  });
  const sections = Object.keys(state.stats || {}).length;
  setText(statsBox, sections ? `Counters from ${sections} sections are kept across restarts.` : '');

  // ---- about ----
  const about = h('div', {}, kvList([['Application', state.meta?.name || 'snmplab']]));
  api.get('/meta', undefined, { auth: false }).then((m) => {
    clear(about).append(kvList([['Application', m.name], ['Version', m.version], ['Author', m.author], ['Description', m.description]]),
      h('p', {}, h('a', { href: '/api/docs', target: '_blank', rel: 'noopener', text: 'API documentation (OpenAPI)' })));
  }).catch(() => {});

  root.append(
    h('div', { class: 'grid grid-2' },
      sectionCard('Authentication', { body: [authForm] }),
      sectionCard('Application behaviour', { body: [appForm] })),
    h('div', { class: 'grid grid-2' },
      sectionCard('Stats', { body: [h('p', { text: 'Download every service\'s counters as JSON, or start them again from zero.' }), statsBox, h('div', { class: 'row' }, exportBtn, resetBtn)] }),
      sectionCard('About', { body: [about] })));
  void loaded;
  return null;
}
