// SNMP Simulator: lifecycle, configuration, the device fleet, custom data, activity.
import { h, field, select, switchControl, clear, setText } from '../dom.js';
import { api } from '../api.js';
import { state, scope } from '../store.js';
import {
  toast, confirmDialog, modal, downloadText, downloadBlob, fmtNumber, fmtRelative, fmtUptime, liveUptime, badge, stamp, emptyState,
} from '../ui.js';
import { sectionCard, iconButton, tabs, kvList, snmpCredentials } from '../components.js';
import { feed } from '../activity.js';
import { setLeaveGuard } from '../nav.js';

// A device's counters by PDU type; v3, errors, drops and var-binds are other views of the
// same requests, so adding them would count a request more than once.
const PDU_COUNTERS = ['get', 'getnext', 'getbulk', 'set'];
function requestTotal(counts) {
  return PDU_COUNTERS.reduce((sum, key) => sum + Number(counts[key] || 0), 0);
}

const LOG_KEY = 'snmplab_simulator_log';
const LOG_MAX = 500;
const SNMP_VALUE_TYPES = ['Integer32', 'Unsigned32', 'Counter32', 'Counter64', 'Gauge32', 'TimeTicks', 'IpAddress', 'ObjectIdentifier', 'OctetString', 'Opaque'];
const QUIRKS = [
  ['bulk_ignores_max_repetitions', 'GETBULK ignores max-repetitions'],
  ['non_increasing_oid', 'Non-increasing OID in a walk'],
  ['counter32_wrap', '32-bit counters wrap soon'],
  ['too_big', 'Answers tooBig'],
  ['no_bulk', 'No GETBULK (v1-style agent)'],
];

export function mount(root) {
  const sc = scope();
  const cleanups = [];

  /* ---------- status ---------- */
  const stBadge = h('span', { class: 'badge dot', id: 'sim-badge', text: 'Checking…' });
  const stText = h('div', { class: 'stat-value', id: 'sim-state', text: '…' });
  const stDetail = h('div', { class: 'muted', id: 'sim-detail' });
  const mUp = h('div', { class: 'v', id: 'sim-uptime', text: '–' });
  const mReq = h('div', { class: 'v', id: 'sim-requests', text: '–' });
  const mLast = h('div', { class: 'v', id: 'sim-last', text: '–' });
  const mDev = h('div', { class: 'v', id: 'sim-devices', text: '–' });
  const mOids = h('div', { class: 'v', id: 'sim-oids', text: '–' });
  const metric = (el, l) => h('div', { class: 'metric' }, h('div', { class: 'l', text: l }), el);
  const metrics = h('div', { class: 'metrics' }, metric(mUp, 'Uptime'), metric(mReq, 'Requests'), metric(mLast, 'Last activity'), metric(mDev, 'Devices'), metric(mOids, 'OIDs loaded'));
  const startBtn = iconButton('play', 'Start', () => lifecycle('start'), 'btn btn-success');
  const stopBtn = iconButton('stop', 'Stop', () => lifecycle('stop'), 'btn btn-danger');
  const restartBtn = iconButton('restart', 'Restart', () => lifecycle('restart'), 'btn');
  startBtn.id = 'sim-start';
  stopBtn.id = 'sim-stop';
  restartBtn.id = 'sim-restart';

  const port = h('input', { id: 'sim-port', type: 'number', min: 1, max: 65535, value: 1061 });
  const community = h('input', { id: 'sim-community', value: 'public', autocomplete: 'off' });
  const cfgHint = h('p', { class: 'muted small', text: 'Stop the simulator to edit its port and default community.' });

  root.append(h('div', { class: 'grid grid-side' },
    sectionCard('Status', { actions: [stBadge], body: [h('div', {}, stText, stDetail), metrics, h('div', { class: 'row' }, startBtn, stopBtn, restartBtn)] }),
    sectionCard('Configuration', { body: [h('div', { class: 'form-grid' }, field('UDP port', port), field('Community', community)), cfgHint] })));

  function renderStatus() {
    const s = state.simulator;
    if (!s) return;
    const on = Boolean(s.running);
    setText(stBadge, on ? 'RUNNING' : 'STOPPED');
    stBadge.className = `badge dot ${on ? 'ok' : 'bad'}`;
    setText(stText, s.reachable === false ? 'Service unreachable' : on ? 'Serving SNMP' : 'Stopped');
    setText(stDetail, on ? `Listening on UDP ${s.port}${s.host ? ` (${s.host})` : ''} · community ${s.community ?? ''}${s.pid ? ` · PID ${s.pid}` : ''}` : 'No device answers until the simulator is started.');
    metrics.hidden = false;
    setText(mUp, liveUptime(s));
    setText(mReq, fmtNumber(s.requests ?? state.stats?.simulator?.snmp_requests_served));
    setText(mLast, fmtRelative(s.last_activity ?? state.stats?.simulator?.last_request_at));
    setText(mDev, s.devices !== undefined ? `${fmtNumber(s.devices_running ?? 0)} / ${fmtNumber(s.devices)}` : '–');
    setText(mOids, fmtNumber(s.oids_loaded ?? state.stats?.simulator?.oids_loaded));
    startBtn.disabled = on;
    stopBtn.disabled = !on;
    port.disabled = community.disabled = on;
    cfgHint.hidden = !on;
    if (on) { if (s.port) port.value = s.port; if (s.community) community.value = s.community; }
  }

  async function lifecycle(action) {
    for (const b of [startBtn, stopBtn, restartBtn]) b.disabled = true;
    try {
      const body = action === 'start' ? { port: Number(port.value) || undefined, community: community.value || undefined } : undefined;
      const r = await api.post(`/simulator/${action}`, body);
      const msg = r.status === 'already_running' ? 'The simulator is already running.' : r.status === 'not_running' ? 'The simulator was not running.' : `Simulator ${r.status || action}.`;
      log(msg, 'success');
      toast(msg, 'success');
      if (r.running !== undefined) state.simulator = { ...(state.simulator || {}), ...r, _at: Date.now() };
    } catch (e) {
      log(`${action} failed: ${e.message}`, 'error');
      toast(`Could not ${action} the simulator: ${e.message}`, 'error');
    } finally {
      renderStatus();
      if (!state.simulator) for (const b of [startBtn, stopBtn, restartBtn]) b.disabled = false;
    }
  }

  /* ---------- tabs: devices, custom data, activity ---------- */
  const panels = { devices: h('div', { id: 'panel-devices' }), users: h('div', { id: 'panel-users' }), data: h('div', { id: 'panel-data' }), activity: h('div', { id: 'panel-activity' }) };
  const built = {};
  const t = tabs([['devices', 'Devices'], ['users', 'SNMPv3 users'], ['data', 'Custom data'], ['activity', 'Activity log']], (id) => {
    for (const [k, p] of Object.entries(panels)) p.hidden = k !== id;
    if (!built[id]) { built[id] = true; const c = { devices: buildDevices, users: buildUsers, data: buildData, activity: buildActivity }[id](panels[id]); if (c) cleanups.push(c); }
  });

  /* ---------- SNMPv3 users of the agent ---------- */
  function buildUsers(panel) {
    const list = h('div');
    const engine = h('p', { class: 'small muted' });
    const cred = snmpCredentials({ version: 'v3', idPrefix: 'simusm' });
    cred.version.closest('.field').hidden = true;
    cred.el.querySelector('#simusm-context').closest('.field').hidden = true;
    const write = switchControl('May SET', true);
    const form = h('form', { class: 'grid' }, cred.el, write.label, h('div', { class: 'row' }, h('button', { class: 'btn btn-primary', type: 'submit', text: 'Add user' })));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = cred.get();
      if (!v.user) { toast('Enter a user name.', 'warning'); return; }
      const body = { name: v.user, auth: v.auth_protocol !== 'none' ? v.auth_protocol : null, auth_key: v.auth_key || null, priv: v.priv_protocol !== 'none' ? v.priv_protocol : null, priv_key: v.priv_key || null, write: write.input.checked };
      try { await api.post('/simulator/users', body); toast(`User ${v.user} saved.`, 'success'); log(`SNMPv3 user ${v.user} saved`, 'success'); load(); } catch (ex) { toast(ex.message, 'error'); }
    });
    panel.append(h('div', { class: 'grid grid-2' },
      sectionCard('SNMPv3 users of the agent', { body: [engine, list] }),
      sectionCard('Add a user', { body: [h('p', { class: 'muted small', text: 'Every device answers SNMPv3 requests from these users; the context name selects the device.' }), form] })));
    async function load() {
      clear(list);
      try {
        const r = await api.get('/simulator/users');
        setText(engine, `Agent engine ID ${r.engine_id} · boots ${r.engine_boots}`);
        const users = r.users || [];
        if (!users.length) { list.append(emptyState('No SNMPv3 users: the agent answers v1 and v2c only.')); return; }
        list.append(h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
          h('thead', {}, h('tr', {}, ...['User', 'Level', 'Auth', 'Privacy', 'SET', ''].map((x) => h('th', { text: x })))),
          h('tbody', {}, users.map((u) => h('tr', {}, h('td', { class: 'mono', text: u.name }), h('td', { class: 'small', text: u.level || u.security_level || '' }),
            h('td', { text: u.auth || '–' }), h('td', { text: u.priv || '–' }), h('td', { text: u.write === false ? 'no' : 'yes' }),
            h('td', {}, h('button', { class: 'btn btn-sm btn-danger', type: 'button', text: 'Delete', on: { click: async () => {
              if (!(await confirmDialog('Delete user?', `Delete SNMPv3 user ${u.name}?`, { confirmLabel: 'Delete', danger: true }))) return;
              try { await api.del(`/simulator/users/${encodeURIComponent(u.name)}`); toast('User deleted.', 'success'); load(); } catch (ex) { toast(ex.message, 'error'); }
            } } }))))))));
      } catch (e) { list.append(h('div', { class: 'alert', text: e.message })); }
    }
    load();
  }
  root.append(t.el, ...Object.values(panels));

  /* ---------- activity log (client actions + server activity feed) ---------- */
  let logEntries = JSON.parse(localStorage.getItem(LOG_KEY) || '[]');
  let logListeners = [];
  function log(message, level = 'info') {
    logEntries.push({ t: Date.now(), level, message: String(message) });
    if (logEntries.length > LOG_MAX) logEntries = logEntries.slice(-LOG_MAX);
    localStorage.setItem(LOG_KEY, JSON.stringify(logEntries));
    logListeners.forEach((f) => f());
  }

  function buildActivity(panel) {
    const search = h('input', { type: 'search', placeholder: 'Search the log', attrs: { 'aria-label': 'Search the log' } });
    const level = select([['', 'All levels'], ['info', 'Info'], ['success', 'Success'], ['warning', 'Warning'], ['error', 'Error']], '', { attrs: { 'aria-label': 'Level filter' } });
    const counter = h('span', { class: 'muted small' });
    const box = h('div', { class: 'log', attrs: { role: 'log', 'aria-label': 'Simulator activity' } });
    let queued = false;
    const render = () => {
      queued = false;
      const q = search.value.trim().toLowerCase();
      const all = logEntries.concat(feed).sort((a, b) => a.t - b.t);
      const shown = all.filter((e) => (!level.value || e.level === level.value) && (!q || e.message.toLowerCase().includes(q)));
      setText(counter, `${shown.length} entries (of ${all.length})`);
      clear(box);
      if (!shown.length) box.append(emptyState('Nothing logged yet. Start the simulator or point an SNMP manager at it.'));
      for (const e of shown.slice(-300).reverse()) {
        box.append(h('div', { class: 'log-line' }, h('span', { class: 'muted', text: new Date(e.t).toLocaleTimeString() }), h('span', { class: `lvl-${e.level}`, text: e.source === 'agent' ? 'REQUEST' : e.level.toUpperCase() }), h('span', { text: e.message })));
      }
    };
    const schedule = () => { if (!queued) { queued = true; requestAnimationFrame(render); } };
    logListeners.push(schedule);
    search.addEventListener('input', schedule);
    level.addEventListener('change', schedule);
    panel.append(sectionCard('Activity log', {
      actions: [badge('Live', 'ok'), counter],
      body: [h('div', { class: 'row' }, h('div', { class: 'grow' }, search), level,
        iconButton('trash', 'Clear', async () => { if (await confirmDialog('Clear the log?', 'The activity log of this browser is emptied.', { confirmLabel: 'Clear', danger: true })) { logEntries = []; feed.length = 0; localStorage.removeItem(LOG_KEY); schedule(); } }, 'btn btn-sm'),
        iconButton('download', 'Export', () => downloadText(logEntries.concat(feed).sort((a, b) => a.t - b.t).map((e) => `${new Date(e.t).toISOString()} [${e.level.toUpperCase()}] ${e.message}`).join('\n') + '\n', `snmplab-simulator-log-${stamp()}.txt`), 'btn btn-sm')),
      box],
    }));
    render();
  }

  // The simulator's live feed: sampled request summaries pushed as `activity`.
  sc.on('activity-feed', () => logListeners.forEach((f) => f()));

  /* ---------- custom data (the previous product's JSON) ---------- */
  function buildData(panel) {
    const editor = h('textarea', { class: 'code-editor', id: 'sim-data', spellcheck: false, attrs: { 'aria-label': 'Custom data JSON', 'aria-describedby': 'sim-data-help' } });
    const err = h('span', { class: 'badge bad', hidden: true, text: 'JSON error' });
    const unsaved = h('span', { class: 'badge warn', hidden: true, text: 'Unsaved' });
    const errText = h('div', { class: 'form-error', hidden: true, attrs: { role: 'alert' } });
    let savedText = '';
    const check = () => {
      let ok = true;
      try { const v = JSON.parse(editor.value || '{}'); ok = v && typeof v === 'object' && !Array.isArray(v); if (!ok) throw new Error('The data must be a JSON object: {"MODULE::object.index": value}'); errText.hidden = true; } catch (e) { ok = false; errText.hidden = false; setText(errText, e.message); }
      err.hidden = ok;
      editor.setAttribute('aria-invalid', String(!ok));
      unsaved.hidden = editor.value === savedText;
      return ok;
    };
    editor.addEventListener('input', check);
    const format = iconButton('format', 'Format JSON', () => { if (check()) { editor.value = JSON.stringify(JSON.parse(editor.value || '{}'), null, 2); check(); } }, 'btn btn-sm');
    const save = iconButton('save', 'Save', async () => {
      if (!check()) { toast('Fix the JSON first.', 'warning'); return; }
      try {
        const r = await api.post('/simulator/data', JSON.parse(editor.value || '{}'));
        savedText = editor.value;
        check();
        const msg = r.message || 'Data saved.';
        toast(msg, 'success');
        log(msg, 'success');
        if (r.report && (r.report.skipped || []).length) toast(`${r.report.skipped.length} entries skipped; see the log.`, 'warning');
        for (const s of (r.report && r.report.skipped) || []) log(`skipped ${s.key || s.line}: ${s.reason}`, 'warning');
      } catch (e) { toast(`Save failed: ${e.message}`, 'error'); log(`save failed: ${e.message}`, 'error'); }
    }, 'btn btn-sm btn-primary');
    panel.append(sectionCard('Custom data', {
      actions: [err, unsaved, format, save],
      body: [h('p', { class: 'muted small', id: 'sim-data-help', text: 'Values for the default device, as {"SNMPv2-MIB::sysName.0": "lab-switch", "IF-MIB::ifDescr.1": "eth0"}. Saving restarts the simulator if it is running.' }), editor, errText],
    }));
    api.get('/simulator/data').then((d) => { editor.value = JSON.stringify(d || {}, null, 2); savedText = editor.value; check(); })
      .catch((e) => { editor.value = '{}'; savedText = editor.value; toast(`Could not load the custom data: ${e.message}`, 'error'); });
    const guard = (e) => { if (editor.value !== savedText) { e.preventDefault(); e.returnValue = ''; } };
    window.addEventListener('beforeunload', guard);
    const dropGuard = setLeaveGuard(() => (editor.value !== savedText ? 'The custom data has unsaved changes; they are lost if you leave.' : null));
    return () => { window.removeEventListener('beforeunload', guard); dropGuard(); };
  }

  /* ---------- devices ---------- */
  function buildDevices(panel) {
    const body = h('div');
    const countBadge = h('span', { class: 'badge primary', text: '…' });
    const search = h('input', { type: 'search', placeholder: 'Filter devices', attrs: { 'aria-label': 'Filter devices' } });
    const newBtn = iconButton('plus', 'New devices', () => createDevices(), 'btn btn-primary btn-sm');
    newBtn.id = 'dev-new';
    const card = sectionCard('Simulated devices', { actions: [countBadge, h('div', {}, search), newBtn], body: [body], flush: true });
    panel.append(card);
    let devices = [];
    let total = 0;
    const dev = (name) => `/simulator/devices/${encodeURIComponent(name)}`;
    const render = () => {
      clear(body);
      const q = search.value.trim().toLowerCase();
      const shown = devices.filter((d) => !q || `${d.name} ${d.profile} ${d.community} ${d.context} ${d.port ?? ''}`.toLowerCase().includes(q));
      setText(countBadge, `${fmtNumber(total)} devices`);
      if (!shown.length) { body.append(emptyState(devices.length ? 'No device matches.' : 'No devices yet. Create them from a profile or a recording.')); return; }
      const rows = shown.map((d) => {
        const cfg = d.config || {};
        const f = cfg.faults || {};
        const faulty = f.delay_ms || f.drop_rate || f.error_status || (f.quirks || []).length;
        const reqs = d.requests && typeof d.requests === 'object' ? requestTotal(d.requests) : d.requests;
        const state_ = cfg.enabled === false ? badge('disabled', '') : d.error ? badge('error', 'bad') : d.running ? badge('up', 'ok') : badge('down', 'bad');
        if (d.error) state_.title = d.error;
        return h('tr', {},
          h('td', {}, h('button', { class: 'btn btn-ghost btn-sm mono', type: 'button', text: d.name, attrs: { 'aria-label': `Open device ${d.name}` }, on: { click: () => openDevice(d.name) } })),
          h('td', { class: 'mono small', text: d.profile || cfg.profile || '' }),
          h('td', { class: 'mono small', text: [d.community, d.context ? `ctx ${d.context}` : null, d.port ? `UDP ${d.port}` : null, d.address].filter(Boolean).join(' · ') }),
          h('td', {}, state_, faulty ? h('span', {}, ' ', badge('faults', 'warn')) : null),
          h('td', { class: 'small', text: d.oids !== undefined ? fmtNumber(d.oids) : '–' }),
          h('td', { class: 'small', text: reqs !== undefined ? fmtNumber(reqs) : '–' }),
          h('td', { class: 'small muted', text: d.last_activity ? fmtRelative(d.last_activity) : '–' }));
      });
      body.append(h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
        h('thead', {}, h('tr', {}, ...['Name', 'Profile', 'Selected by', 'State', 'OIDs', 'Requests', 'Last request'].map((x) => h('th', { text: x })))),
        h('tbody', {}, rows))));
      if (total > devices.length) {
        body.append(h('div', { class: 'card-body row' }, h('span', { class: 'muted small', text: `Showing ${fmtNumber(devices.length)} of ${fmtNumber(total)} devices.` }),
          h('button', { class: 'btn btn-sm', type: 'button', text: 'Show more', on: { click: () => load(devices.length + PAGE) } })));
      }
    };
    search.addEventListener('input', render);
    const PAGE = 200;
    let shownLimit = PAGE;
    const load = async (limit = shownLimit) => {
      shownLimit = limit;
      try {
        const r = await api.get('/simulator/devices', { limit });
        devices = r.devices || [];
        total = r.total ?? devices.length;
        render();
      } catch (e) {
        clear(body).append(h('div', { class: 'card-body' }, h('div', { class: 'alert', text: e.status === 404 ? 'The device fleet API is not available on this simulator.' : `Could not load devices: ${e.message}` })));
        setText(countBadge, '–');
      }
    };
    load();
    let reloadTimer = 0;
    sc.on('status', () => { clearTimeout(reloadTimer); reloadTimer = setTimeout(() => load(), 300); });
    sc.on('open', () => load());

    async function createDevices() {
      let profiles = [];
      try { profiles = (await api.get('/simulator/profiles')).profiles || []; } catch { profiles = [{ name: 'default' }]; }
      const source = select([['profile', 'From a profile (template for N devices)'], ['recording', 'From a recording (.snmprec or Net-SNMP walk)']], 'profile', { id: 'dev-source' });
      const profile = select(profiles.map((p) => [p.name, `${p.name} (${fmtNumber(p.oids)} OIDs${p.builtin ? ', built-in' : ''})`]), undefined, { id: 'dev-profile' });
      const count = h('input', { id: 'dev-count', type: 'number', min: 1, max: 10000, value: 1 });
      const name = h('input', { id: 'dev-name', value: 'dev{n}', autocomplete: 'off', spellcheck: false });
      const comm = h('input', { id: 'dev-community', value: 'public{n}', spellcheck: false });
      const ctxName = h('input', { id: 'dev-context', placeholder: 'dev{n}', spellcheck: false });
      const portStart = h('input', { id: 'dev-port', type: 'number', min: 1, max: 65535, placeholder: 'shared port' });
      const ifaces = h('input', { id: 'dev-ifaces', type: 'number', min: 0, max: 4096, placeholder: 'from profile' });
      const sysName = h('input', { id: 'dev-sysname', value: '{name}' });
      const sysLoc = h('input', { id: 'dev-sysloc', value: 'Lab row {n}' });
      const file = h('input', { id: 'dev-file', type: 'file', accept: '.snmprec,.txt,.walk' });
      const fmt = select([['snmprec', 'snmpsim .snmprec'], ['walk', 'Net-SNMP walk output']], 'snmprec', { id: 'dev-format' });
      const recName = h('input', { id: 'dev-recname', placeholder: 'profile name', spellcheck: false });
      const recFields = h('div', { class: 'form-grid span-all' }, h('div', { class: 'span-2' }, field('Recording file', file)), field('Format', fmt), field('Profile name', recName));
      const profField = field('Profile', profile);
      const sync = () => { profField.hidden = source.value !== 'profile'; recFields.hidden = source.value !== 'recording'; };
      source.addEventListener('change', sync);
      file.addEventListener('change', () => {
        const f = file.files[0];
        if (!f) return;
        if (!recName.value) recName.value = f.name.replace(/\.[^.]+$/, '').replace(/[^\w.-]/g, '_').slice(0, 60);
        if (/\.(txt|walk)$/i.test(f.name)) fmt.value = 'walk';
      });
      sync();
      const report = h('div');
      const m = modal('New simulated devices', {
        wide: true,
        body: [
          h('p', { class: 'muted small', text: 'Patterns: {n} is the instance number, {n:3} pads it to 3 digits, {name} is the device name. 500 devices are 500 different devices.' }),
          h('div', { class: 'form-grid' }, field('Create from', source), profField, recFields,
            field('How many', count), field('Name pattern', name), field('Community pattern', comm), field('SNMPv3 context pattern', ctxName),
            field('First own UDP port', portStart), field('Interfaces', ifaces), field('sysName', sysName), field('sysLocation', sysLoc)),
          report,
        ],
        actions: [{ label: 'Cancel' }, { label: 'Create', class: 'btn-primary', onClick: (close) => submit(close) }],
      });
      m.foot.lastElementChild.id = 'dev-create';
      async function submit(close) {
        let prof = profile.value;
        clear(report);
        try {
          if (source.value === 'recording') {
            const f = file.files[0];
            if (!f) { toast('Choose a recording file.', 'warning'); return; }
            prof = recName.value.trim();
            if (!prof) { toast('Name the profile.', 'warning'); return; }
            const r = await api.postText(`/simulator/profiles/${encodeURIComponent(prof)}/import`, await f.text(), { format: fmt.value });
            showReport(r.report);
            log(`profile ${prof} imported from ${f.name}`, 'success');
          }
          const overrides = {};
          if (sysName.value) overrides.sysName = sysName.value;
          if (sysLoc.value) overrides.sysLocation = sysLoc.value;
          const t = { profile: prof, count: Number(count.value) || 1, name: name.value.trim() || 'dev{n}', community: comm.value || 'public', context: ctxName.value.trim(), overrides };
          if (portStart.value) t.port_start = Number(portStart.value);
          if (ifaces.value) t.interfaces = Number(ifaces.value);
          const r = await api.post('/simulator/devices/template', t);
          toast(`${fmtNumber(r.count)} device(s) created.`, 'success');
          log(`${r.count} device(s) created from ${prof}`, 'success');
          load();
          if (!report.childElementCount) close(true);
        } catch (e) {
          if (e.body && e.body.report) showReport(e.body.report);
          toast(e.message, 'error');
        }
      }
      function showReport(rep) {
        if (!rep) return;
        const issues = rep.issues || rep.lines || rep.skipped_lines || [];
        if (!issues.length && !rep.skipped && !rep.coerced) return;
        clear(report).append(h('div', { class: 'alert warning' },
          h('strong', { text: `Imported ${fmtNumber(rep.imported ?? rep.records ?? '')} records; ${fmtNumber(rep.skipped ?? 0)} skipped, ${fmtNumber(rep.coerced ?? 0)} coerced.` }),
          h('ul', { class: 'small' }, issues.slice(0, 100).map((x) => h('li', { class: 'mono', text: typeof x === 'string' ? x : `line ${x.line ?? '?'}: ${x.reason || x.message || JSON.stringify(x)}` })))));
      }
      await m.result;
    }

    async function openDevice(name) {
      let d;
      try { d = await api.get(dev(name)); } catch (e) { toast(e.message, 'error'); return; }
      const cfg = d.config || {};
      const f = cfg.faults || {};
      const delay = h('input', { type: 'number', min: 0, max: 60000, value: f.delay_ms || 0 });
      const drop = h('input', { type: 'number', min: 0, max: 1, step: 0.01, value: f.drop_rate || 0 });
      const errStatus = select([['', 'none'], ...Array.from({ length: 18 }, (_, i) => [String(i + 1), String(i + 1)])], f.error_status ? String(f.error_status) : '');
      const quirks = QUIRKS.map(([id, label]) => switchControl(label, (f.quirks || []).includes(id), { value: id }));
      const enabled = switchControl('Enabled', cfg.enabled !== false);
      const linkTraps = switchControl('linkDown / linkUp when ifOperStatus changes', cfg.link_traps !== false);
      const persist = switchControl('Keep SET values across restarts', Boolean(cfg.persist_writes));
      const json = h('textarea', { class: 'code-editor', spellcheck: false, value: JSON.stringify(cfg, null, 2), attrs: { 'aria-label': 'Device configuration JSON' } });
      const panes = { settings: h('div', { class: 'grid' }), values: h('div', { class: 'grid' }), faults: h('div', { class: 'grid' }), notify: h('div', { class: 'grid' }) };
      const reqs = d.requests && typeof d.requests === 'object' ? Object.entries(d.requests).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(', ') : '';
      const lifecycleBtn = (action) => h('button', { class: 'btn btn-sm', type: 'button', text: action[0].toUpperCase() + action.slice(1), on: { click: async () => { try { await api.post(`${dev(name)}/${action}`); toast(`Device ${name}: ${action}.`, 'success'); load(); } catch (e) { toast(e.message, 'error'); } } } });
      panes.settings.append(
        h('div', { class: 'row' }, d.running ? badge('up', 'ok') : badge('down', 'bad'), d.error ? h('span', { class: 'small', text: d.error }) : null, lifecycleBtn('start'), lifecycleBtn('stop'), lifecycleBtn('restart')),
        kvList([['Profile', cfg.profile], ['Community', cfg.community], ['Write community', cfg.write_community], ['Context', cfg.context], ['Own port', cfg.port], ['OIDs', d.oids], ['Uptime', d.uptime_seconds !== undefined && d.uptime_seconds !== null ? fmtUptime(d.uptime_seconds) : null], ['Requests', reqs], ['Last request', d.last_activity ? fmtRelative(d.last_activity) : null]]),
        h('div', { class: 'row' }, enabled.label, linkTraps.label, persist.label),
        h('label', { text: 'Full configuration (JSON): writable OIDs, notification targets, overrides…' }), json);
      panes.faults.append(h('div', { class: 'form-grid' }, field('Response delay (ms)', delay), field('Drop rate (0-1)', drop), field('Forced error-status', errStatus)),
        h('fieldset', {}, h('legend', { text: 'Agent quirks' }), h('div', { class: 'grid' }, quirks.map((q) => q.label))));

      // Values and rules: one page of the device's OIDs, editable.
      const prefix = h('input', { placeholder: '1.3.6.1.2.1.2', class: 'mono', attrs: { 'aria-label': 'OID prefix' } });
      const valuesBox = h('div', { class: 'table-wrap' });
      valuesBox.style.maxHeight = '380px';
      const editOid = h('input', { class: 'mono', placeholder: 'sysName or 1.3.6.1.2.1.2.2.1.8.1', attrs: { 'aria-label': 'OID to change' } });
      const editType = select([['', 'keep type'], ...SNMP_VALUE_TYPES.map((t) => [t, t])], '', { attrs: { 'aria-label': 'Type' } });
      const editValue = h('input', { placeholder: 'value', attrs: { 'aria-label': 'New value' } });
      const editRule = h('input', { class: 'mono', placeholder: '{"kind": "counter", "rate": 1000} (optional rule JSON)', attrs: { 'aria-label': 'Rule JSON' } });
      const applyValue = h('button', { class: 'btn btn-primary btn-sm', type: 'button', text: 'Apply', on: { click: async () => {
        const key = editOid.value.trim();
        if (!key) { toast('Enter an OID.', 'warning'); return; }
        let spec = editValue.value;
        if (editRule.value.trim()) {
          try { spec = { type: editType.value || undefined, rule: JSON.parse(editRule.value) }; } catch (e) { toast(`Rule JSON: ${e.message}`, 'error'); return; }
        } else if (editType.value) spec = { type: editType.value, value: editValue.value };
        try { const r = await api.patch(`${dev(name)}/oids`, { values: { [key]: spec } }); toast(`Changed ${(r.changed || []).length} value(s).`, 'success'); loadValues(); } catch (e) { toast(e.message, 'error'); }
      } } });
      panes.values.append(h('div', { class: 'row' }, h('div', { class: 'grow' }, prefix), h('button', { class: 'btn btn-sm', type: 'button', text: 'Show', on: { click: () => loadValues() } })), valuesBox,
        h('h3', { text: 'Change a value or set a rule' }), h('div', { class: 'form-grid' }, h('div', { class: 'span-2' }, editOid), editType, editValue, h('div', { class: 'span-all' }, editRule), applyValue),
        h('p', { class: 'muted small', text: 'Changing IF-MIB::ifOperStatus sends linkDown/linkUp to the device\'s targets, as a SET would.' }));
      async function loadValues() {
        clear(valuesBox).append(h('p', { class: 'muted', text: 'Loading…' }));
        try {
          const r = await api.get(`${dev(name)}/oids`, { prefix: prefix.value.trim() || undefined, limit: 300 });
          const list = r.oids || [];
          clear(valuesBox).append(h('table', { class: 'table' }, h('thead', {}, h('tr', {}, ...['OID', 'Type', 'Value', ''].map((x) => h('th', { text: x })))),
            h('tbody', {}, list.map((v) => h('tr', {}, h('td', { class: 'mono small', text: v.oid }), h('td', { class: 'small', text: v.type }), h('td', { class: 'mono small', text: String(v.value ?? '') }),
              h('td', {}, v.live ? badge('live', 'info') : null, h('button', { class: 'btn btn-ghost btn-sm', type: 'button', text: 'Edit', on: { click: () => { editOid.value = v.oid; editType.value = ''; editValue.value = typeof v.raw === 'object' ? '' : String(v.raw ?? ''); editValue.focus(); } } })))))));
          if (!list.length) valuesBox.append(emptyState('No OIDs under this prefix.'));
        } catch (e) { clear(valuesBox).append(h('div', { class: 'alert', text: e.message })); }
      }

      // Send a notification from this device, or a storm.
      const t0 = (cfg.targets || [])[0] || {};
      const nTrap = h('input', { value: 'linkDown', class: 'mono', attrs: { 'aria-label': 'Notification' } });
      const nIndex = h('input', { value: '1', attrs: { 'aria-label': 'Instance index' } });
      const nHost = h('input', { value: t0.host || '127.0.0.1' });
      const nPort = h('input', { type: 'number', min: 1, max: 65535, value: t0.port || 162 });
      const nVer = select(['v1', 'v2c', 'v3'], t0.version || 'v2c');
      const nComm = h('input', { value: t0.community || 'public' });
      const nUser = h('input', { value: t0.user || '', placeholder: 'a user of the SNMPv3 users tab' });
      const nUserField = field('SNMPv3 user', nUser);
      const nCommField = field('Community', nComm);
      const syncVer = () => { nUserField.hidden = nVer.value !== 'v3'; nCommField.hidden = nVer.value === 'v3'; };
      nVer.addEventListener('change', syncVer);
      syncVer();
      const nInform = switchControl('Inform (acknowledged)', Boolean(t0.inform));
      const nCount = h('input', { type: 'number', min: 1, value: 1 });
      const nRate = h('input', { type: 'number', min: 0.1, step: 'any', value: 100 });
      const nResult = h('div', { attrs: { 'aria-live': 'polite' } });
      const sendBtn = h('button', { class: 'btn btn-primary', type: 'button', text: 'Send from this device', on: { click: () => sendFromDevice() } });
      panes.notify.append(h('p', { class: 'muted small', text: 'The device fills the notification\'s objects from its own current values (e.g. linkDown with ifIndex, ifAdminStatus, ifOperStatus of the index).' }),
        h('div', { class: 'form-grid' }, field('Notification', nTrap), field('Index', nIndex), field('Target host', nHost), field('Port', nPort), field('Version', nVer), nCommField, nUserField, field('Count', nCount), field('Rate (per second)', nRate)),
        h('div', { class: 'row' }, nInform.label, sendBtn), nResult);
      async function sendFromDevice() {
        const bodyN = { trap: nTrap.value.trim(), index: nIndex.value.trim() || undefined, targets: [{ host: nHost.value.trim(), port: Number(nPort.value) || 162, version: nVer.value, community: nComm.value, user: nVer.value === 'v3' ? nUser.value.trim() || null : null, inform: nInform.input.checked }], inform: nInform.input.checked };
        const n = Number(nCount.value) || 1;
        try {
          if (n > 1) {
            const st = await api.post(`${dev(name)}/storm`, { ...bodyN, count: n, rate: Number(nRate.value) || 100 });
            clear(nResult).append(h('div', { class: 'alert', text: `Storm ${st.id} started: ${fmtNumber(st.total)} at ${st.rate}/s.` }));
            followStorm(st.id);
          } else {
            const r = await api.post(`${dev(name)}/notify`, bodyN);
            const res = r.results || [];
            clear(nResult).append(h('div', { class: `alert ${res.some((x) => x.error) ? 'warning' : 'success'}` },
              h('div', { text: `Sent ${r.trap}` }), h('ul', { class: 'small' }, res.map((x) => h('li', { text: `${x.target} ${x.version}${x.acked !== null && x.acked !== undefined ? ` acknowledged: ${x.acked}` : ''}${x.error ? ` – ${x.error}` : ''}` })))));
          }
          log(`device ${name} sent ${bodyN.trap}${n > 1 ? ` ×${n}` : ''}`, 'success');
        } catch (e) { clear(nResult).append(h('div', { class: 'alert error', text: e.message })); }
      }
      let stormTimer = 0;
      function followStorm(id) {
        // A storm reports its own progress; ask for it while the dialog is open.
        clearTimeout(stormTimer);
        stormTimer = setTimeout(async () => {
          try {
            const st = await api.get(`/simulator/storms/${encodeURIComponent(id)}`);
            clear(nResult).append(h('div', { class: `alert ${st.failed ? 'warning' : st.running ? '' : 'success'}`, text: `Storm ${id}: sent ${fmtNumber(st.sent)} of ${fmtNumber(st.total)}, acknowledged ${fmtNumber(st.acked)}, failed ${fmtNumber(st.failed)}${st.running ? '…' : ` in ${st.elapsed}s.`}` }));
            if (st.running && m.dialog.open) followStorm(id);
          } catch { /* the dialog reports nothing more */ }
        }, 1000);
      }

      const dt = tabs([['settings', 'Settings'], ['values', 'Values & rules'], ['faults', 'Faults'], ['notify', 'Send a trap']], (id) => { for (const [k, p] of Object.entries(panes)) p.hidden = k !== id; if (id === 'values' && !valuesBox.childElementCount) loadValues(); });
      const m = modal(`Device ${name}`, {
        wide: true,
        body: [dt.el, ...Object.values(panes)],
        actions: [
          { label: 'Delete', class: 'btn-danger', onClick: async (close) => { if (await confirmDialog('Delete device?', `Delete device ${name}?`, { confirmLabel: 'Delete', danger: true })) { try { await api.del(dev(name)); toast('Device deleted.', 'success'); log(`device ${name} deleted`, 'success'); close(true); load(); } catch (e) { toast(e.message, 'error'); } } } },
          { label: 'Export .snmprec', onClick: () => exportDevice('snmprec') },
          { label: 'Export walk', onClick: () => exportDevice('walk') },
          { label: 'Cancel' },
          { label: 'Save', class: 'btn-primary', onClick: (close) => saveDevice(close) },
        ],
      });
      dt.select('settings');

      async function exportDevice(format) {
        try { const { blob } = await api.download(`${dev(name)}/export`, { format }); downloadBlob(blob, `${name}.${format === 'walk' ? 'txt' : 'snmprec'}`); } catch (e) { toast(e.message, 'error'); }
      }
      async function saveDevice(close) {
        let next;
        try { next = JSON.parse(json.value); } catch (e) { toast(`Configuration JSON: ${e.message}`, 'error'); return; }
        next.enabled = enabled.input.checked;
        next.link_traps = linkTraps.input.checked;
        next.persist_writes = persist.input.checked;
        next.faults = { ...(next.faults || {}), delay_ms: Number(delay.value) || 0, drop_rate: Number(drop.value) || 0, error_status: errStatus.value ? Number(errStatus.value) : null, quirks: quirks.filter((q) => q.input.checked).map((q) => q.input.value) };
        try { await api.put(dev(name), next); toast('Device saved.', 'success'); log(`device ${name} saved`, 'success'); close(true); load(); } catch (e) { toast(e.message, 'error'); }
      }
      await m.result;
      clearTimeout(stormTimer);
    }
  }

  renderStatus();
  sc.on('status', renderStatus);
  sc.on('stats', renderStatus);
  const tick = setInterval(() => { if (state.simulator?.running) renderStatus(); }, 5000);
  api.get('/simulator/status').then((s) => { state.simulator = { ...(state.simulator || {}), ...s, _at: Date.now() }; renderStatus(); }).catch(() => {});
  t.select('devices');
  return () => { sc.dispose(); clearInterval(tick); cleanups.forEach((c) => c()); logListeners = []; };
}
