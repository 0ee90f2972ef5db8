// SNMP Simulator: lifecycle, configuration, the device fleet, custom data, activity.
import { h, field, select, switchControl, clear, setText } from '../dom.js';
import { icon } from '../icons.js';
import { api } from '../api.js';
import { state, scope } from '../store.js';
import {
  toast, confirmDialog, modal, downloadText, fmtNumber, fmtRelative, fmtUptime, liveUptime, badge, stamp, emptyState,
} from '../ui.js';
import { sectionCard, iconButton, tabs, kvList } from '../components.js';

const LOG_KEY = 'snmplab_simulator_log';
const LOG_MAX = 500;
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
    setText(stText, on ? 'Serving SNMP' : 'Stopped');
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
  const panels = { devices: h('div', { id: 'panel-devices' }), data: h('div', { id: 'panel-data' }), activity: h('div', { id: 'panel-activity' }) };
  const built = {};
  const t = tabs([['devices', 'Devices'], ['data', 'Custom data'], ['activity', 'Activity log']], (id) => {
    for (const [k, p] of Object.entries(panels)) p.hidden = k !== id;
    if (!built[id]) { built[id] = true; const c = { devices: buildDevices, data: buildData, activity: buildActivity }[id](panels[id]); if (c) cleanups.push(c); }
  });
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
      const shown = logEntries.filter((e) => (!level.value || e.level === level.value) && (!q || e.message.toLowerCase().includes(q)));
      setText(counter, `${shown.length} entries (of ${logEntries.length})`);
      clear(box);
      if (!shown.length) box.append(emptyState('Nothing logged yet. Start the simulator or point an SNMP manager at it.'));
      for (const e of shown.slice(-300).reverse()) {
        box.append(h('div', { class: 'log-line' }, h('span', { class: 'muted', text: new Date(e.t).toLocaleTimeString() }), h('span', { class: `lvl-${e.level}`, text: e.level.toUpperCase() }), h('span', { text: e.message })));
      }
    };
    const schedule = () => { if (!queued) { queued = true; requestAnimationFrame(render); } };
    logListeners.push(schedule);
    search.addEventListener('input', schedule);
    level.addEventListener('change', schedule);
    panel.append(sectionCard('Activity log', {
      actions: [badge('Live', 'ok'), counter],
      body: [h('div', { class: 'row' }, h('div', { class: 'grow' }, search), level,
        iconButton('trash', 'Clear', async () => { if (await confirmDialog('Clear the log?', 'The activity log of this browser is emptied.', { confirmLabel: 'Clear', danger: true })) { logEntries = []; localStorage.removeItem(LOG_KEY); schedule(); } }, 'btn btn-sm'),
        iconButton('download', 'Export', () => downloadText(logEntries.map((e) => `${new Date(e.t).toISOString()} [${e.level.toUpperCase()}] ${e.message}`).join('\n') + '\n', `snmplab-simulator-log-${stamp()}.txt`), 'btn btn-sm')),
      box],
    }));
    render();
  }

  // The simulator's live feed: sampled request summaries pushed as `activity`.
  sc.on('activity', (m) => {
    const d = m.data || m;
    const items = Array.isArray(d.samples) ? d.samples : Array.isArray(d) ? d : [d];
    for (const a of items.slice(-20)) {
      const parts = [a.pdu, a.device ? `device ${a.device}` : null, a.source ? `from ${a.source}` : null, a.version, a.oid, a.varbinds !== undefined ? `${a.varbinds} var-binds` : null].filter(Boolean);
      if (parts.length) log(parts.join(' · '), 'info');
    }
  });

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
    return () => window.removeEventListener('beforeunload', guard);
  }

  /* ---------- devices ---------- */
  function buildDevices(panel) {
    const body = h('div');
    const countBadge = h('span', { class: 'badge primary', text: '…' });
    const search = h('input', { type: 'search', placeholder: 'Filter devices', attrs: { 'aria-label': 'Filter devices' } });
    const newBtn = iconButton('plus', 'New device', () => createDevice(), 'btn btn-primary btn-sm');
    newBtn.id = 'dev-new';
    const card = sectionCard('Simulated devices', { actions: [countBadge, h('div', {}, search), newBtn], body: [body], flush: true });
    panel.append(card);
    let devices = [];
    const render = () => {
      clear(body);
      const q = search.value.trim().toLowerCase();
      const shown = devices.filter((d) => !q || JSON.stringify(d).toLowerCase().includes(q));
      setText(countBadge, `${fmtNumber(devices.length)} devices`);
      if (!shown.length) { body.append(emptyState(devices.length ? 'No device matches.' : 'No devices yet. Create one from a template, a recording or the loaded MIBs.')); return; }
      const rows = shown.slice(0, 500).map((d) => {
        const running = d.running ?? (state.simulator?.running && d.enabled !== false);
        const faulty = d.faults && (d.faults.delay_ms || d.faults.drop_rate || d.faults.error_status || (d.faults.quirks || []).length);
        const edit = h('button', { class: 'btn btn-sm', type: 'button', text: 'Open', on: { click: () => openDevice(d.name) } });
        return h('tr', {},
          h('td', {}, h('button', { class: 'btn btn-ghost btn-sm mono', type: 'button', text: d.name, on: { click: () => openDevice(d.name) } })),
          h('td', { class: 'mono small', text: d.profile || '' }),
          h('td', { class: 'mono small', text: [d.community, d.context ? `ctx ${d.context}` : null, d.port ? `UDP ${d.port}` : null, d.address].filter(Boolean).join(' · ') }),
          h('td', {}, d.enabled === false ? badge('disabled', '') : running ? badge('up', 'ok') : badge('down', 'bad'), faulty ? badge('faults', 'warn') : null),
          h('td', { class: 'small', text: d.oids !== undefined ? fmtNumber(d.oids) : '' }),
          h('td', { class: 'small muted', text: d.last_activity ? fmtRelative(d.last_activity) : '' }),
          h('td', {}, edit));
      });
      body.append(h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
        h('thead', {}, h('tr', {}, ...['Name', 'Profile', 'Selected by', 'State', 'OIDs', 'Last request', ''].map((x) => h('th', { text: x })))),
        h('tbody', {}, rows))));
      if (shown.length > 500) body.append(h('p', { class: 'muted small', text: `Showing 500 of ${shown.length}; filter to narrow.` }));
    };
    search.addEventListener('input', render);
    const load = async () => {
      try {
        const r = await api.get('/simulator/devices');
        devices = Array.isArray(r) ? r : r.devices || r.data || [];
        render();
      } catch (e) {
        clear(body).append(h('div', { class: 'card-body' }, h('div', { class: 'alert', text: e.status === 404 ? 'This simulator serves one default device; the device fleet API is not available yet.' : `Could not load devices: ${e.message}` })));
        setText(countBadge, '–');
      }
    };
    load();
    sc.on('status', () => { if (devices.length) render(); });
    sc.on('open', load);

    async function createDevice() {
      let profiles = [];
      try { const r = await api.get('/simulator/profiles'); profiles = Array.isArray(r) ? r : r.profiles || []; } catch { profiles = [{ name: 'default' }]; }
      const name = h('input', { id: 'dev-name', value: `device-${devices.length + 1}`, autocomplete: 'off' });
      const source = select([['profile', 'From a profile (template)'], ['recording', 'From a recording (.snmprec or walk text)'], ['mibs', 'Generated from loaded MIBs']], 'profile', { id: 'dev-source' });
      const profile = select(profiles.map((p) => (typeof p === 'string' ? p : p.name)), undefined, { id: 'dev-profile' });
      const count = h('input', { id: 'dev-count', type: 'number', min: 1, max: 1000, value: 1 });
      const comm = h('input', { id: 'dev-community', value: 'public' });
      const ctxName = h('input', { id: 'dev-context' });
      const devPort = h('input', { id: 'dev-port', type: 'number', min: 1, max: 65535, placeholder: 'shared port' });
      const ifaces = h('input', { id: 'dev-ifaces', type: 'number', min: 0, max: 4096, placeholder: 'profile default' });
      const sysName = h('input', { id: 'dev-sysname', placeholder: '{name}' });
      const sysLoc = h('input', { id: 'dev-sysloc', placeholder: 'Lab rack {i}' });
      const file = h('input', { id: 'dev-file', type: 'file', accept: '.snmprec,.txt,.walk' });
      const modules = h('input', { id: 'dev-modules', placeholder: 'IF-MIB, HOST-RESOURCES-MIB' });
      const rowsPerTable = h('input', { id: 'dev-rows', type: 'number', min: 1, max: 1000, value: 4 });
      const recField = field('Recording file', file, 'snmpsim .snmprec or Net-SNMP walk output (-On or symbolic)');
      const profField = field('Profile', profile);
      const mibFields = h('div', { class: 'form-grid span-all' }, field('MIB modules', modules), field('Rows per table', rowsPerTable));
      const sync = () => { profField.hidden = source.value !== 'profile'; recField.hidden = source.value !== 'recording'; mibFields.hidden = source.value !== 'mibs'; };
      source.addEventListener('change', sync);
      sync();
      const report = h('div');
      const m = modal('New simulated device', {
        wide: true,
        body: [
          h('div', { class: 'form-grid' }, field('Name', name, 'With a count above 1, names get -1, -2…'), field('Create from', source), profField, recField, mibFields,
            field('How many', count), field('Community', comm, '{i} is the instance number'), field('SNMPv3 context', ctxName), field('Own UDP port', devPort), field('Interfaces', ifaces), field('sysName', sysName), field('sysLocation', sysLoc)),
          report,
        ],
        actions: [{ label: 'Cancel' }, { label: 'Create', class: 'btn-primary', onClick: (close) => submit(close) }],
      });
      async function submit(close) {
        const overrides = {};
        if (sysName.value) overrides.sysName = sysName.value;
        if (sysLoc.value) overrides.sysLocation = sysLoc.value;
        const base = { name: name.value.trim(), community: comm.value || 'public', context: ctxName.value.trim(), overrides };
        if (devPort.value) base.port = Number(devPort.value);
        if (ifaces.value) base.interfaces = Number(ifaces.value);
        try {
          let r;
          if (source.value === 'recording') {
            const f = file.files[0];
            if (!f) { toast('Choose a recording file.', 'warning'); return; }
            const form = new FormData();
            form.append('file', f);
            form.append('name', base.name);
            form.append('community', base.community);
            r = await api.upload('/simulator/profiles/import', form);
            if (r && r.profile) await api.post('/simulator/devices', { ...base, profile: r.profile.name || r.profile });
          } else if (source.value === 'mibs') {
            r = await api.post('/simulator/profiles/generate', { name: base.name, modules: modules.value.split(/[\s,]+/).filter(Boolean), rows: Number(rowsPerTable.value) || 4 });
            await api.post('/simulator/devices', { ...base, profile: (r && (r.name || r.profile)) || base.name });
          } else if (Number(count.value) > 1) {
            r = await api.post('/simulator/devices/template', { ...base, profile: profile.value, count: Number(count.value) });
          } else {
            r = await api.post('/simulator/devices', { ...base, profile: profile.value });
          }
          const skipped = (r && (r.skipped || (r.report && r.report.skipped))) || [];
          if (skipped.length) {
            clear(report).append(h('div', { class: 'alert warning' }, h('strong', { text: `${skipped.length} lines skipped or coerced:` }),
              h('ul', {}, skipped.slice(0, 50).map((s) => h('li', { class: 'small', text: `line ${s.line ?? '?'}: ${s.reason || s.message || JSON.stringify(s)}` })))));
            toast('Device created with a report of skipped lines.', 'warning');
          } else {
            toast('Device created.', 'success');
            close(true);
          }
          log(`device ${base.name} created`, 'success');
          load();
        } catch (e) { toast(e.status === 404 ? 'The simulator does not support this yet.' : e.message, 'error'); }
      }
      await m.result;
    }

    async function openDevice(name) {
      let d;
      try { d = await api.get(`/simulator/devices/${encodeURIComponent(name)}`); } catch (e) { toast(e.message, 'error'); return; }
      const cfg = d.config || d;
      const f = cfg.faults || {};
      const delay = h('input', { type: 'number', min: 0, max: 60000, value: f.delay_ms || 0 });
      const drop = h('input', { type: 'number', min: 0, max: 1, step: 0.01, value: f.drop_rate || 0 });
      const errStatus = select([['', 'none'], ...Array.from({ length: 18 }, (_, i) => [String(i + 1), String(i + 1)])], f.error_status ? String(f.error_status) : '');
      const quirks = QUIRKS.map(([id, label]) => switchControl(label, (f.quirks || []).includes(id), { value: id }));
      const enabled = switchControl('Enabled', cfg.enabled !== false);
      const linkTraps = switchControl('linkDown / linkUp when ifOperStatus changes', cfg.link_traps !== false);
      const persist = switchControl('Keep SET values across restarts', Boolean(cfg.persist_writes));
      const json = h('textarea', { class: 'code-editor', spellcheck: false, value: JSON.stringify(cfg, null, 2), attrs: { 'aria-label': 'Device configuration JSON' } });
      const valuesBox = h('div');
      const notifyOid = h('input', { value: 'IF-MIB::linkDown', class: 'mono' });
      const notifyHost = h('input', { value: (cfg.targets && cfg.targets[0] && cfg.targets[0].host) || '127.0.0.1' });
      const notifyPort = h('input', { type: 'number', value: (cfg.targets && cfg.targets[0] && cfg.targets[0].port) || 162 });
      const notifyCount = h('input', { type: 'number', min: 1, value: 1 });
      const notifyRate = h('input', { type: 'number', min: 0, step: 'any', value: 10 });
      const notifyResult = h('div', { attrs: { 'aria-live': 'polite' } });
      const panes = { settings: h('div', { class: 'grid' }), values: h('div', { class: 'grid' }), faults: h('div', { class: 'grid' }), notify: h('div', { class: 'grid' }) };
      panes.settings.append(kvList([['Profile', cfg.profile], ['Community', cfg.community], ['Write community', cfg.write_community], ['Context', cfg.context], ['Port', cfg.port], ['OIDs', d.oids]]),
        h('div', { class: 'row' }, enabled.label, linkTraps.label, persist.label),
        h('label', { text: 'Full configuration (JSON)' }), json);
      panes.faults.append(h('div', { class: 'form-grid' }, field('Response delay (ms)', delay), field('Drop rate (0-1)', drop), field('Forced error-status', errStatus)),
        h('fieldset', {}, h('legend', { text: 'Agent quirks' }), h('div', { class: 'grid' }, quirks.map((q) => q.label))));
      panes.notify.append(h('p', { class: 'muted small', text: 'The device sends this notification with its own var-binds from its current state.' }),
        h('div', { class: 'form-grid' }, h('div', { class: 'span-2' }, field('Notification', notifyOid)), field('Target host', notifyHost), field('Port', notifyPort), field('Count', notifyCount), field('Rate (per second)', notifyRate)),
        h('div', { class: 'row' }, h('button', { class: 'btn btn-primary', type: 'button', text: 'Send from this device', on: { click: sendFromDevice } })), notifyResult);
      panes.values.append(valuesBox);
      const dt = tabs([['settings', 'Settings'], ['values', 'Values & rules'], ['faults', 'Faults'], ['notify', 'Send a trap']], (id) => { for (const [k, p] of Object.entries(panes)) p.hidden = k !== id; if (id === 'values') loadValues(); });
      const m = modal(`Device ${name}`, {
        wide: true,
        body: [dt.el, ...Object.values(panes)],
        actions: [
          { label: 'Delete', class: 'btn-danger', onClick: async (close) => { if (await confirmDialog('Delete device?', `Delete device ${name}?`, { confirmLabel: 'Delete', danger: true })) { try { await api.del(`/simulator/devices/${encodeURIComponent(name)}`); toast('Device deleted.', 'success'); close(true); load(); } catch (e) { toast(e.message, 'error'); } } } },
          { label: 'Export .snmprec', onClick: () => exportDevice('snmprec') },
          { label: 'Cancel' },
          { label: 'Save', class: 'btn-primary', onClick: (close) => saveDevice(close) },
        ],
      });
      dt.select('settings');

      async function exportDevice(format) {
        try { const { blob, name: fn } = await api.download(`/simulator/devices/${encodeURIComponent(name)}/export`, { format }, `${name}.${format}`); const { downloadBlob } = await import('../ui.js'); downloadBlob(blob, fn); } catch (e) { toast(e.message, 'error'); }
      }
      async function loadValues() {
        clear(valuesBox).append(h('p', { class: 'muted', text: 'Loading…' }));
        let vals;
        try { const r = await api.get(`/simulator/devices/${encodeURIComponent(name)}/values`, { limit: 200 }); vals = Array.isArray(r) ? r : r.values || r.data || []; } catch (e) { clear(valuesBox).append(h('div', { class: 'alert', text: e.status === 404 ? 'Per-object values are not exposed by this simulator yet. Edit overrides in the JSON on the Settings tab.' : e.message })); return; }
        clear(valuesBox);
        valuesBox.append(h('div', { class: 'table-wrap' }, h('table', { class: 'table' }, h('thead', {}, h('tr', {}, ...['OID', 'Name', 'Type', 'Value', 'Rule'].map((x) => h('th', { text: x })))),
          h('tbody', {}, vals.map((v) => h('tr', {}, h('td', { class: 'mono small', text: v.oid }), h('td', { class: 'mono small', text: v.name || '' }), h('td', { class: 'small', text: v.type || '' }), h('td', { class: 'mono small', text: String(v.value ?? '') }), h('td', { class: 'small muted', text: v.rule ? JSON.stringify(v.rule) : '' })))))));
      }
      async function sendFromDevice() {
        try {
          const r = await api.post(`/simulator/devices/${encodeURIComponent(name)}/notify`, { notification: notifyOid.value.trim(), targets: [{ host: notifyHost.value.trim(), port: Number(notifyPort.value) || 162 }], count: Number(notifyCount.value) || 1, rate: Number(notifyRate.value) || undefined });
          clear(notifyResult).append(h('div', { class: 'alert success', text: `Sent ${r.sent ?? ''} ${r.acknowledged !== undefined ? `· acknowledged ${r.acknowledged}` : ''} ${r.failed ? `· failed ${r.failed}` : ''}`.trim() }));
          log(`device ${name} sent ${notifyOid.value}`, 'success');
        } catch (e) { clear(notifyResult).append(h('div', { class: 'alert error', text: e.message })); }
      }
      async function saveDevice(close) {
        let next;
        try { next = JSON.parse(json.value); } catch (e) { toast(`Configuration JSON: ${e.message}`, 'error'); return; }
        next.enabled = enabled.input.checked;
        next.link_traps = linkTraps.input.checked;
        next.persist_writes = persist.input.checked;
        next.faults = { delay_ms: Number(delay.value) || 0, drop_rate: Number(drop.value) || 0, error_status: errStatus.value ? Number(errStatus.value) : null, quirks: quirks.filter((q) => q.input.checked).map((q) => q.input.value) };
        try { await api.put(`/simulator/devices/${encodeURIComponent(name)}`, next); toast('Device saved.', 'success'); log(`device ${name} saved`, 'success'); close(true); load(); } catch (e) { toast(e.message, 'error'); }
      }
      await m.result;
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
