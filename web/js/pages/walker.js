// Walk & Parse: walks with progress and cancel, var-bind / table / parse / raw views, exports,
// history with re-run and diff, and "use as simulated device".
import { h, field, select, switchControl, clear, setText } from '../dom.js';
import { icon } from '../icons.js';
import { api } from '../api.js';
import { scope } from '../store.js';
import { takeHandoff, go, loadState, saveState } from '../nav.js';
import {
  toast, confirmDialog, modal, copyText, downloadText, downloadBlob, toCsv, fmtNumber, fmtRate, fmtRelative, stamp, emptyState, badge,
} from '../ui.js';
import { sectionCard, snmpCredentials, iconButton, tabs, SNMP_TYPES, typedVarbind } from '../components.js';
import { VirtualList } from '../vlist.js';

const TARGETS_KEY = 'snmplab_walker_targets';
const LOCAL_HISTORY_KEY = 'snmplab_walker_history';
const OID_RE = /^(\.?\d+(\.\d+)*|[A-Za-z][\w-]*::[A-Za-z][\w-]*(\.[\w.]+)?|[A-Za-z][\w-]*)$/;
const METRIC_TYPES = new Set(['Integer32', 'Counter32', 'Counter64', 'Gauge32', 'Unsigned32', 'TimeTicks']);
const LABEL_WORDS = ['index', 'id', 'name', 'descr', 'serial', 'mac', 'type', 'version'];

function splitName(name, oid) {
  if (name && name.includes('::')) {
    const [module, rest] = name.split('::', 2);
    const dot = rest.indexOf('.');
    return { module, obj: dot < 0 ? rest : rest.slice(0, dot), index: dot < 0 ? '' : rest.slice(dot + 1) };
  }
  const i = oid.lastIndexOf('.');
  return { module: 'Unknown', obj: oid.slice(0, i), index: oid.slice(i + 1) };
}

/** The previous product's parse view: numeric columns as metrics, labelled by their row. */
export function parseView(rows, host, root) {
  const category = root.includes('::') ? root.split('::')[1] : root;
  const byIndex = new Map();
  for (const r of rows) {
    const { module, obj, index } = splitName(r.name, r.oid);
    if (!byIndex.has(index)) byIndex.set(index, { labels: {}, metrics: [] });
    const e = byIndex.get(index);
    let metric = METRIC_TYPES.has(r.type) && typeof r.raw === 'number';
    if (metric && r.type !== 'TimeTicks') metric = !LABEL_WORDS.some((w) => obj.toLowerCase().includes(w));
    if (metric) e.metrics.push({ metric_name: obj, value: r.type === 'TimeTicks' ? r.raw / 100 : r.raw, mib_module: module });
    else e.labels[obj] = r.value;
  }
  const out = [];
  for (const [index, e] of byIndex) {
    for (const m of e.metrics) out.push({ ...m, metric_category: category, agent_host: host, labels: { ...e.labels, snmp_index: index } });
  }
  return out;
}

/** snmptable-like grouping: conceptual tables by column OID, rows by instance index. */
export function tableView(rows) {
  const tables = new Map();
  for (const r of rows) {
    const { module, obj, index } = splitName(r.name, r.oid);
    if (!index || index === '0') continue;
    const idxLen = index.split('.').length;
    const arcs = r.oid.split('.');
    const colOid = arcs.slice(0, arcs.length - idxLen).join('.');
    const tableOid = colOid.split('.').slice(0, -2).join('.');
    if (!tables.has(tableOid)) tables.set(tableOid, { oid: tableOid, module, columns: [], rows: new Map() });
    const t = tables.get(tableOid);
    if (!t.columns.includes(obj)) t.columns.push(obj);
    if (!t.rows.has(index)) t.rows.set(index, {});
    t.rows.get(index)[obj] = r.value;
  }
  return [...tables.values()].filter((t) => t.columns.length > 1 || t.rows.size > 1);
}

function netsnmpLine(r, numeric) {
  return `${numeric ? `.${r.oid}` : r.name || r.oid} = ${r.type ? `${r.type}: ` : ''}${r.value}`;
}

export function mount(root) {
  const sc = scope();
  const saved = loadState('walker', { target: '127.0.0.1', port: 1061, oid: 'IF-MIB::ifTable', operation: 'bulkwalk', parse: true, resolve: true, view: 'varbinds' });
  const handoff = takeHandoff('walker');
  if (handoff && handoff.oid) saved.oid = handoff.oid;
  if (handoff && handoff.target) { saved.target = handoff.target; saved.port = handoff.port || saved.port; }

  // ---- form ----
  const targets = JSON.parse(localStorage.getItem(TARGETS_KEY) || '[]');
  const dl = h('datalist', { id: 'walker-targets' }, targets.map((t) => h('option', { value: t })));
  const host = h('input', { id: 'walk-host', value: saved.target, autocomplete: 'off', spellcheck: false, attrs: { list: 'walker-targets' } });
  const clearTargets = h('button', { class: 'btn', type: 'button', attrs: { 'aria-label': 'Forget recent targets', title: 'Forget recent targets' }, on: { click: () => { localStorage.removeItem(TARGETS_KEY); clear(dl); toast('Recent targets cleared.', 'success'); } } }, icon('x', 15));
  const port = h('input', { id: 'walk-port', type: 'number', min: 1, max: 65535, value: saved.port });
  const cred = snmpCredentials({ version: saved.version || 'v2c', community: saved.community ?? 'public', idPrefix: 'walk' });
  cred.set(saved);
  const oid = h('input', { id: 'walk-oid', value: saved.oid, spellcheck: false, autocomplete: 'off', class: 'mono' });
  const browseBtn = h('button', { class: 'btn', type: 'button', text: 'Browse MIBs', on: { click: () => go('browser', { search: oid.value.split('::').pop().split('.')[0] }) } });
  const op = select([['bulkwalk', 'Bulk walk (GETBULK)'], ['walk', 'Walk (GETNEXT)'], ['get', 'Get'], ['getnext', 'Get next'], ['getbulk', 'Get bulk'], ['set', 'Set']], saved.operation, { id: 'walk-op' });
  const nonRep = h('input', { id: 'walk-nonrep', type: 'number', min: 0, max: 256, value: 0 });
  const setType = select(SNMP_TYPES, 'OctetString', { id: 'walk-settype' });
  const setValue = h('input', { id: 'walk-setvalue', autocomplete: 'off', spellcheck: false });
  const maxRep = h('input', { id: 'walk-maxrep', type: 'number', min: 1, max: 1000, value: saved.max_repetitions || 25 });
  const timeout = h('input', { id: 'walk-timeout', type: 'number', min: 0.1, max: 60, step: 0.1, value: saved.timeout || 1 });
  const retries = h('input', { id: 'walk-retries', type: 'number', min: 0, max: 10, value: saved.retries ?? 1 });
  const maxOids = h('input', { id: 'walk-maxoids', type: 'number', min: 0, value: saved.max_oids ?? 100000 });
  const parseSw = switchControl('Parse to JSON', saved.parse, { id: 'walk-parse' });
  const resolveSw = switchControl('Resolve OIDs', saved.resolve, { id: 'walk-resolve' });
  parseSw.input.addEventListener('change', () => { if (parseSw.input.checked) resolveSw.input.checked = true; resolveSw.input.disabled = parseSw.input.checked; showView(parseSw.input.checked ? 'parsed' : 'varbinds'); });
  resolveSw.input.disabled = parseSw.input.checked;
  resolveSw.input.addEventListener('change', () => render());
  const runBtn = iconButton('play', 'Run walk', () => run(), 'btn btn-primary');
  runBtn.id = 'walk-run';
  const cancelBtn = iconButton('stop', 'Cancel', () => cancel(), 'btn btn-danger');
  cancelBtn.id = 'walk-cancel';
  cancelBtn.hidden = true;
  const progress = h('div', { class: 'progress indeterminate', hidden: true }, h('span'));
  const progressText = h('div', { class: 'muted small', id: 'walk-progress', attrs: { 'aria-live': 'polite' } });
  const errorBox = h('div', { class: 'alert error', hidden: true, attrs: { role: 'alert' } });

  const nonRepField = field('Non-repeaters', nonRep);
  const setTypeField = field('Set type', setType);
  const setValueField = field('Set value', setValue);
  const maxOidsField = field('Max OIDs (0 = all)', maxOids);
  const syncOp = () => {
    const o = op.value;
    const walking = o === 'walk' || o === 'bulkwalk';
    nonRepField.hidden = o !== 'getbulk';
    maxRep.closest('.field').hidden = !(o === 'bulkwalk' || o === 'getbulk');
    setTypeField.hidden = setValueField.hidden = o !== 'set';
    maxOidsField.hidden = !walking;
    const label = walking ? 'Run walk' : o === 'set' ? 'Run set' : 'Run request';
    setText(runBtn.lastChild, label);
    runBtn.setAttribute('aria-label', label);
  };
  op.addEventListener('change', syncOp);
  const form = h('form', { class: 'grid', attrs: { 'aria-label': 'Walk target' } },
    h('div', { class: 'form-grid' },
      h('div', { class: 'field span-2' }, h('label', { attrs: { for: 'walk-host' }, text: 'Host' }), h('div', { class: 'input-group' }, host, clearTargets), dl),
      field('Port', port), cred.el,
      h('div', { class: 'field span-all' }, h('label', { attrs: { for: 'walk-oid' }, text: 'OID' }), h('div', { class: 'input-group' }, oid, browseBtn)),
      field('Operation', op), field('Max repetitions', maxRep), nonRepField, setTypeField, setValueField, field('Timeout (s)', timeout), field('Retries', retries), maxOidsField),
    h('div', { class: 'row' }, parseSw.label, resolveSw.label),
    h('div', { class: 'row' }, runBtn, cancelBtn),
    progress, progressText, errorBox);
  form.addEventListener('submit', (e) => { e.preventDefault(); run(); });
  syncOp();

  // ---- result ----
  let result = null; // {meta, varbinds}
  let walkId = null;
  const count = h('span', { class: 'badge primary', id: 'walk-count', text: '0 items' });
  const search = h('input', { type: 'search', id: 'walk-search', placeholder: 'Filter shown results', attrs: { 'aria-label': 'Filter results' } });
  const viewBody = h('div', { class: 'grid' });
  const rowsList = new VirtualList({
    className: 'walk-cols',
    label: 'Walk var-binds',
    renderRow(r, row) {
      clear(row);
      row.append(h('span', { class: 'mono small', text: resolveSw.input.checked ? r.name || r.oid : r.oid }), h('span', { class: 'small muted', text: r.type || '' }), h('span', { class: 'mono small', text: String(r.value ?? '') }));
    },
    onOpen: (r) => modal(r.name || r.oid, { body: [h('pre', { class: 'result', text: JSON.stringify(r, null, 2) })], actions: [{ label: 'Copy', onClick: () => copyText(JSON.stringify(r, null, 2)) }, { label: 'Close', class: 'btn-primary' }] }),
  });
  const rowsHead = h('div', { class: 'vhead walk-cols', attrs: { 'aria-hidden': 'true' } }, h('span', { text: 'Name / OID' }), h('span', { text: 'Type' }), h('span', { text: 'Value' }));
  let view = saved.view;
  const viewTabs = tabs([['varbinds', 'Var-binds'], ['table', 'Table'], ['parsed', 'Parsed'], ['raw', 'Raw']], (id) => { view = id; persist(); render(); });
  function showView(id) { viewTabs.select(id); }

  const exportBtn = (label, fn) => h('button', { class: 'btn btn-sm', type: 'button', text: label, on: { click: fn } });
  const actions = h('div', { class: 'row' },
    iconButton('x', 'Clear', () => { result = null; rememberResult(); render(); }, 'btn btn-sm'),
    iconButton('copy', 'Copy', () => result && copyText(currentText()), 'btn btn-sm'),
    exportBtn('Export JSON', () => exportJson()), exportBtn('Export CSV', () => exportCsv()),
    exportBtn('.snmprec', () => serverExport('snmprec')), exportBtn('Walk text', () => serverExport('walk')),
    iconButton('devices', 'Use as simulated device', () => useAsDevice(), 'btn btn-sm btn-primary'));
  for (const b of actions.querySelectorAll('button')) {
    if (b.textContent === 'Export CSV') b.id = 'walk-export-csv';
    if (b.textContent === 'Export JSON') b.id = 'walk-export-json';
  }
  const resultCard = sectionCard('Current result', { actions: [count], body: [viewTabs.el, h('div', { class: 'row between' }, h('div', { class: 'grow' }, search), actions), viewBody] });

  // ---- history ----
  const historyList = h('ul', { class: 'list', attrs: { 'aria-label': 'Walk history' } });
  const diffBtn = h('button', { class: 'btn btn-sm', type: 'button', text: 'Diff selected', disabled: true, on: { click: () => diffSelected() } });
  const clearHist = iconButton('trash', 'Clear history', () => clearHistory(), 'btn btn-sm btn-danger');
  const historyCard = sectionCard('Walk history', { actions: [diffBtn, clearHist], body: [historyList], flush: true });
  const selected = new Set();
  let serverHistory = null;
  let historyTotal = 0;

  root.append(h('div', { class: 'grid grid-side-l' },
    h('div', { class: 'grid' }, sectionCard('Target', { body: [form] }), historyCard),
    resultCard));

  // The last result comes back when the page is opened again (from the walker's history,
  // not from browser storage: a walk can be far larger than sessionStorage allows).
  function rememberResult() {
    if (result && result.meta.history_id) sessionStorage.setItem('snmplab_walker_last', String(result.meta.history_id));
    else sessionStorage.removeItem('snmplab_walker_last');
  }
  async function restoreResult() {
    const id = sessionStorage.getItem('snmplab_walker_last');
    if (!id || result) return;
    try {
      const r = await api.get(`/walk/history/${encodeURIComponent(id)}`);
      const { varbinds, params: _p, ...meta } = r;
      if (result) return;
      result = { meta: { ...meta, history_id: Number(id) }, varbinds: varbinds || [] };
      render();
    } catch { sessionStorage.removeItem('snmplab_walker_last'); }
  }

  function persist() {
    saveState('walker', { target: host.value, port: Number(port.value), oid: oid.value, operation: op.value, parse: parseSw.input.checked, resolve: resolveSw.input.checked, view, max_repetitions: Number(maxRep.value), timeout: Number(timeout.value), retries: Number(retries.value), max_oids: Number(maxOids.value), ...cred.memo() });
  }

  function filteredRows() {
    const rows = result ? result.varbinds || [] : [];
    const q = search.value.trim().toLowerCase();
    if (!q) return rows;
    return rows.filter((r) => `${r.name} ${r.oid} ${r.value}`.toLowerCase().includes(q));
  }

  function currentText() {
    if (!result) return '';
    if (view === 'parsed') return JSON.stringify(parseView(result.varbinds, result.meta.target, result.meta.oid), null, 2);
    if (view === 'raw') return result.varbinds.map((r) => netsnmpLine(r, !resolveSw.input.checked)).join('\n');
    return JSON.stringify(result.varbinds, null, 2);
  }

  function render() {
    clear(viewBody);
    if (!result) {
      setText(count, '0 items');
      viewBody.append(emptyState('Run a walk to see its result here.'));
      return;
    }
    const rows = filteredRows();
    const m = result.meta;
    const status = m.status && m.status !== 'complete' ? badge(m.status, m.status === 'truncated' ? 'warn' : 'bad') : badge('complete', 'ok');
    viewBody.append(h('div', { class: 'row small muted' }, status,
      h('span', { text: `${m.target}:${m.port} · ${m.oid} · ${fmtNumber(m.count ?? rows.length)} var-binds${m.seconds !== undefined ? ` in ${m.seconds}s` : ''}${m.message ? ` · ${m.message}` : ''}` })));
    if (view === 'varbinds') {
      setText(count, `${fmtNumber(rows.length)} items`);
      viewBody.append(h('div', {}, rowsHead, rowsList.el));
      rowsList.el.scrollTop = 0;
      rowsList.setItems(rows);
    } else if (view === 'parsed') {
      const q = search.value.trim().toLowerCase();
      const parsed = parseView(result.varbinds, m.target, m.oid).filter((p) => !q || JSON.stringify(p).toLowerCase().includes(q));
      setText(count, `${fmtNumber(parsed.length)} metrics`);
      viewBody.append(parsed.length ? h('pre', { class: 'result', id: 'walk-parsed', text: JSON.stringify(parsed.slice(0, 2000), null, 2) + (parsed.length > 2000 ? `\n… ${parsed.length - 2000} more in the export` : '') }) : emptyState('Nothing numeric to parse here; see the var-binds.'));
    } else if (view === 'table') {
      const tables = tableView(rows);
      setText(count, `${fmtNumber(tables.length)} tables`);
      if (!tables.length) viewBody.append(emptyState('No conceptual table in this result (scalars only).'));
      const id = m.history_id;
      for (const t of tables.slice(0, 10)) {
        const box = h('div', { class: 'grid' });
        viewBody.append(box);
        if (id) renderServerTable(box, id, t); else renderLocalTable(box, t);
      }
        } else {
      setText(count, `${fmtNumber(rows.length)} lines`);
      viewBody.append(h('pre', { class: 'result', id: 'walk-raw', text: rows.slice(0, 5000).map((r) => netsnmpLine(r, !resolveSw.input.checked)).join('\n') + (rows.length > 5000 ? `\n… ${rows.length - 5000} more in the export` : '') }));
    }
  }
  function renderLocalTable(box, t) {
    const head = h('tr', {}, h('th', { text: 'Index' }), t.columns.map((c) => h('th', { text: c })));
    const body = h('tbody');
    let n = 0;
    for (const [index, vals] of t.rows) {
      if (++n > 500) break;
      body.append(h('tr', {}, h('td', { class: 'mono', text: index }), t.columns.map((c) => h('td', { text: vals[c] ?? '' }))));
    }
    clear(box).append(h('h3', { text: `${t.module} table ${t.oid} (${t.rows.size} rows)` }), h('div', { class: 'table-wrap' }, h('table', { class: 'table' }, h('thead', {}, head), body)));
  }

  // The walker decodes each row's INDEX with the MIB library, as snmptable does.
  async function renderServerTable(box, id, t) {
    box.append(h('p', { class: 'muted small', text: `Loading table ${t.oid}…` }));
    let v;
    try { v = await api.get(`/walk/history/${encodeURIComponent(id)}/table`, { table: t.oid }); } catch { renderLocalTable(box, t); return; }
    const cols = (v.columns || []).map((c) => c.name);
    const idxNames = (v.index_objects || []).map((x) => (typeof x === 'string' ? x : x.name)).map((x) => String(x).replace(/^.*::/, ''));
    const decoded = idxNames.length > 0 && (v.rows || []).every((r) => r.index && r.index.length === idxNames.length);
    const head = h('tr', {}, decoded ? idxNames.map((x) => h('th', { text: `${x} (index)` })) : h('th', { text: 'Index' }), cols.map((c) => h('th', { text: c })));
    const body = h('tbody');
    for (const r of (v.rows || []).slice(0, 500)) {
      const idxCells = decoded ? r.index.map((p) => h('td', { class: 'mono', text: p.text ?? String(p.value) })) : [h('td', { class: 'mono', text: r.instance })];
      body.append(h('tr', {}, idxCells, cols.map((c) => h('td', { text: r.values?.[c] ?? '' }))));
    }
    clear(box).append(h('h3', { text: `${v.table} (${fmtNumber((v.rows || []).length)} rows)` }), h('div', { class: 'table-wrap' }, h('table', { class: 'table' }, h('thead', {}, head), body)));
  }

  let searchTimer = 0;
  search.addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(render, 200); });

  function params() {
    return {
      target: host.value.trim(), port: Number(port.value) || 161, ...cred.get(), oid: oid.value.trim(), operation: op.value,
      max_repetitions: Number(maxRep.value) || 25, timeout: Number(timeout.value) || 1, retries: Number(retries.value) || 0,
      max_oids: Number(maxOids.value) || 0,
    };
  }

  async function run(p) {
    const body = p || params();
    errorBox.hidden = true;
    if (!body.target) { showError('Enter the agent host.'); host.focus(); return; }
    if (!body.oid.split(/[\s,]+/).filter(Boolean).every((o) => OID_RE.test(o))) { showError('The OID must be numeric (1.3.6.1.2.1.2) or a MIB name (IF-MIB::ifTable).'); oid.focus(); return; }
    persist();
    const t = [body.target, ...targets.filter((x) => x !== body.target)].slice(0, 10);
    localStorage.setItem(TARGETS_KEY, JSON.stringify(t));
    clear(dl).append(...t.map((x) => h('option', { value: x })));
    if (!['walk', 'bulkwalk'].includes(body.operation)) { await single(body); return; }
    walkId = `ui-${Math.random().toString(36).slice(2, 10)}`;
    runBtn.disabled = true;
    cancelBtn.hidden = false;
    progress.hidden = false;
    setText(progressText, `Walking ${body.oid} on ${body.target}:${body.port}…`);
    const started = performance.now();
    try {
      const r = await api.post('/walk', { ...body, walk_id: walkId });
      const { varbinds, ...meta } = r;
      result = { meta, varbinds: varbinds || [] };
      rememberResult();
      setText(progressText, `${fmtNumber(result.varbinds.length)} var-binds in ${((performance.now() - started) / 1000).toFixed(2)} s${meta.status && meta.status !== 'complete' ? ` (${meta.status})` : ''}.`);
      toast(`Walk ${meta.status || 'complete'}: ${fmtNumber(result.varbinds.length)} var-binds.`, meta.status === 'error' ? 'warning' : 'success');
      if (!serverHistory) addLocalHistory(body, result);
      loadHistory();
      render();
    } catch (e) {
      showError(friendly(e));
      setText(progressText, '');
      toast('Walk failed.', 'error');
    } finally {
      runBtn.disabled = false;
      cancelBtn.hidden = true;
      progress.hidden = true;
      walkId = null;
    }
  }

  async function single(body) {
    const oids = body.oid.split(/[\s,]+/).filter(Boolean);
    const { operation, oid: _o, max_oids: _m, ...agent } = body;
    let payload;
    if (operation === 'set') payload = { ...agent, varbinds: oids.map((o) => typedVarbind(o, setType.value, setValue.value)) };
    else if (operation === 'getbulk') payload = { ...agent, oids, non_repeaters: Number(nonRep.value) || 0, max_repetitions: body.max_repetitions };
    else payload = { ...agent, oids };
    delete payload.max_repetitions;
    if (operation === 'getbulk') payload.max_repetitions = body.max_repetitions;
    runBtn.disabled = true;
    progress.hidden = false;
    try {
      const r = await api.post(`/walk/${operation}`, payload);
      const failed = r.error_status !== null && r.error_status !== undefined && r.error_status !== 0 && r.error_status !== 'noError';
      result = { meta: { target: body.target, port: body.port, oid: body.oid, operation, status: failed ? 'error' : 'complete', message: failed ? `${r.error_status}${r.error_index ? ` at var-bind ${r.error_index}` : ''}${r.message ? `: ${r.message}` : ''}` : r.message || '', count: (r.varbinds || []).length }, varbinds: r.varbinds || [] };
      setText(progressText, '');
      toast(failed ? `The agent answered ${r.error_status}.` : `${operation} answered ${fmtNumber(result.varbinds.length)} var-binds.`, failed ? 'warning' : 'success');
      if (view === 'parsed') showView('varbinds'); else render();
    } catch (e) {
      showError(friendly(e));
    } finally {
      runBtn.disabled = false;
      progress.hidden = true;
    }
  }

  function friendly(e) {
    const m = e.message || '';
    if (e.status === 504 || /timeout|timed out|no response/i.test(m)) return `${m} – the agent did not answer: check the host, port, community or v3 credentials, and that it is running.`;
    if (/unknown|not found|cannot resolve/i.test(m)) return `${m} – load the MIB that defines this name, or use a numeric OID.`;
    if (/auth|wrong digest|unknown user/i.test(m)) return `${m} – check the SNMPv3 user and passphrases.`;
    return m;
  }

  function showError(text) {
    errorBox.hidden = false;
    setText(errorBox, text);
  }

  async function cancel() {
    if (!walkId) return;
    try { await api.post(`/walk/${encodeURIComponent(walkId)}/cancel`); toast('Cancelling the walk…', 'info'); } catch (e) { toast(e.message, 'error'); }
  }

  sc.on('walk_progress', (msg) => {
    const m = msg.data || msg;
    if (!walkId || m.walk_id !== walkId || m.done) return;
    setText(progressText, `${fmtNumber(m.oids)} OIDs so far · ${fmtRate(m.rate)} OIDs/s`);
  });

  function exportJson() {
    if (!result) { toast('Nothing to export yet.', 'warning'); return; }
    if (view !== 'parsed' && result.meta.history_id) { serverExport('json'); return; }
    const data = view === 'parsed' ? parseView(result.varbinds, result.meta.target, result.meta.oid) : result.varbinds;
    downloadText(JSON.stringify(data, null, 2), `snmp_walk_${stamp()}.json`, 'application/json');
  }

  function exportCsv() {
    if (!result) { toast('Nothing to export yet.', 'warning'); return; }
    if (view !== 'parsed' && result.meta.history_id) { serverExport('csv'); return; }
    let text;
    if (view === 'parsed') {
      const rows = parseView(result.varbinds, result.meta.target, result.meta.oid).map((p) => ({ ...p, labels: JSON.stringify(p.labels) }));
      text = toCsv(rows, ['metric_name', 'value', 'mib_module', 'metric_category', 'agent_host', 'labels']);
    } else {
      text = toCsv(result.varbinds.map((r) => ({ ...r, raw: typeof r.raw === 'object' ? JSON.stringify(r.raw) : r.raw })), ['oid', 'name', 'type', 'value', 'raw']);
    }
    downloadText(text, `snmp_walk_${stamp()}.csv`, 'text/csv');
  }

  async function serverExport(format) {
    const id = result && result.meta.history_id;
    if (!id) {
      // Rendered here from the var-binds: every format is plain text.
      if (!result) { toast('Nothing to export yet.', 'warning'); return; }
      if (format === 'json') { downloadText(JSON.stringify(result.varbinds, null, 2), `snmp_walk_${stamp()}.json`, 'application/json'); return; }
      if (format === 'csv') { downloadText(toCsv(result.varbinds.map((r) => ({ ...r, raw: typeof r.raw === 'object' ? JSON.stringify(r.raw) : r.raw })), ['oid', 'name', 'type', 'value', 'raw']), `snmp_walk_${stamp()}.csv`, 'text/csv'); return; }
      const text = format === 'walk'
        ? result.varbinds.map((r) => netsnmpLine(r, true)).join('\n') + '\n'
        : result.varbinds.map((r) => `${r.oid}|${snmprecTag(r.type)}|${snmprecValue(r)}`).join('\n') + '\n';
      downloadText(text, `snmp_walk_${stamp()}.${format === 'walk' ? 'txt' : 'snmprec'}`);
      return;
    }
    try {
      const { blob, name } = await api.download(`/walk/history/${encodeURIComponent(id)}/export`, { format }, `snmp_walk_${id}.${format === 'walk' ? 'txt' : format}`);
      downloadBlob(blob, name);
    } catch (e) {
      if (e.status === 404) { result.meta.history_id = null; serverExport(format); return; }
      toast(`Export failed: ${e.message}`, 'error');
    }
  }

  async function useAsDevice() {
    if (!result) { toast('Run a walk first: its var-binds become the device data.', 'warning'); return; }
    if (!result.meta.history_id) { toast('Only a stored walk becomes a device: run a walk or bulk walk (not a single request).', 'warning'); return; }
    const name = h('input', { value: `${result.meta.target.replace(/[^\w.-]/g, '_')}-recording`, attrs: { 'aria-label': 'Device name' } });
    const community = h('input', { value: `rec${Math.random().toString(36).slice(2, 6)}` });
    const m = modal('Use as a simulated device', {
      body: [h('p', { text: `The ${fmtNumber(result.varbinds.length)} var-binds of this walk become a profile and a device of the simulator.` }), field('Device name', name), field('Community that selects it', community)],
      actions: [{ label: 'Cancel' }, { label: 'Create device', class: 'btn-primary', value: true }],
    });
    if (!(await m.result)) return;
    try {
      const id = result.meta.history_id;
      const r = await api.post(`/walk/history/${encodeURIComponent(id)}/simulate`, { profile: name.value.trim(), device: true, device_name: name.value.trim(), community: community.value.trim() });
      toast(`Device ${(r && (r.device_name || (r.device && r.device.name) || r.name)) || name.value} created.`, 'success');
      go('simulator');
    } catch (e) {
      toast(`Could not create the device: ${e.message}`, 'error');
    }
  }

  // ---- history: the walker keeps it; a local list (parameters only) stands in without it ----
  function localHistory() { return JSON.parse(localStorage.getItem(LOCAL_HISTORY_KEY) || '[]'); }
  function addLocalHistory(p, r) {
    const memo = { ...p };
    delete memo.auth_key;
    delete memo.priv_key;
    const list = [{ id: `local-${Date.now()}`, started_at: Date.now() / 1000, count: r.varbinds.length, status: r.meta.status, params: memo, target: p.target, port: p.port, oid: p.oid }, ...localHistory()].slice(0, 20);
    localStorage.setItem(LOCAL_HISTORY_KEY, JSON.stringify(list));
  }

  async function loadHistory() {
    try {
      const r = await api.get('/walk/history', { limit: 20 });
      serverHistory = Array.isArray(r) ? r : r.walks || r.data || [];
      historyTotal = r.total ?? serverHistory.length;
    } catch {
      serverHistory = null;
    }
    renderHistory();
  }

  function renderHistory() {
    clear(historyList);
    const list = serverHistory || localHistory();
    if (!list.length) { historyList.append(h('li', { class: 'muted', text: 'No walks yet.' })); return; }
    for (const w of list.slice(0, 20)) {
      const id = String(w.id ?? w.history_id);
      const check = h('input', { type: 'checkbox', checked: selected.has(id), attrs: { 'aria-label': `Select walk of ${w.oid} for diff` }, disabled: !serverHistory });
      check.addEventListener('change', () => { if (check.checked) selected.add(id); else selected.delete(id); diffBtn.disabled = selected.size !== 2; });
      const open = h('button', { class: 'btn btn-ghost btn-sm grow', type: 'button', attrs: { 'aria-label': `Load walk of ${w.oid} on ${w.target}` } },
        h('span', { class: 'mono small', text: `${w.target}:${w.port} ${String(w.oid).slice(0, 30)}` }));
      open.style.justifyContent = 'flex-start';
      open.addEventListener('click', () => loadWalk(w));
      const rerun = h('button', { class: 'icon-btn sm', type: 'button', attrs: { 'aria-label': 'Run again', title: 'Run again' }, on: { click: () => rerunWalk(w) } }, icon('restart'));
      const del = h('button', { class: 'icon-btn sm', type: 'button', attrs: { 'aria-label': 'Delete from history', title: 'Delete' }, on: { click: () => deleteWalk(w) } }, icon('x'));
      historyList.append(h('li', { class: 'hist' }, check, open, badge(fmtNumber(w.count), 'primary'), h('span', { class: 'muted small nowrap', text: fmtRelative(w.started_at) }), rerun, del));
    }
  }

  async function loadWalk(w) {
    const p = w.params || w;
    host.value = p.target; port.value = p.port; oid.value = p.oid;
    if (p.operation) op.value = p.operation;
    cred.set(p);
    if (!serverHistory) { toast('Parameters loaded; run the walk to see its result.', 'info'); return; }
    try {
      const r = await api.get(`/walk/history/${encodeURIComponent(w.id)}`);
      const { varbinds, rows, params: p2, ...meta } = r;
      if (p2) cred.set(p2);
      result = { meta: { ...meta, history_id: w.id }, varbinds: varbinds || rows || [] };
      rememberResult();
      render();
    } catch (e) { toast(e.message, 'error'); }
  }

  async function rerunWalk(w) {
    if (serverHistory) {
      try {
        const c = cred.get();
        const keys = c.version === 'v3' ? { auth_key: c.auth_key || undefined, priv_key: c.priv_key || undefined } : undefined;
        const r = await api.post(`/walk/history/${encodeURIComponent(w.id)}/rerun`, keys);
        const { varbinds, ...meta } = r;
        result = { meta, varbinds: varbinds || [] };
        rememberResult();
        toast(`Walk run again: ${fmtNumber(result.varbinds.length)} var-binds.`, 'success');
        render();
        loadHistory();
        return;
      } catch (e) { if (e.status !== 404) { toast(e.message, 'error'); return; } }
    }
    await loadWalk({ ...w, params: w.params || w });
    run({ ...params() });
  }

  async function deleteWalk(w) {
    if (serverHistory) {
      try { await api.del(`/walk/history/${encodeURIComponent(w.id)}`); } catch (e) { toast(e.message, 'error'); return; }
      selected.delete(String(w.id));
      loadHistory();
    } else {
      localStorage.setItem(LOCAL_HISTORY_KEY, JSON.stringify(localHistory().filter((x) => x.id !== w.id)));
      renderHistory();
    }
  }

  async function clearHistory() {
    if (!(await confirmDialog('Clear walk history?', 'Every stored walk is deleted.', { confirmLabel: 'Clear history', danger: true }))) return;
    if (serverHistory) { try { await api.del('/walk/history'); } catch (e) { toast(e.message, 'error'); return; } }
    localStorage.removeItem(LOCAL_HISTORY_KEY);
    selected.clear();
    loadHistory();
  }

  async function diffSelected() {
    const [a, b] = [...selected];
    let d;
    try { d = await api.get('/walk/diff', { a, b }); } catch (e) { toast(e.status === 404 ? 'The walker cannot diff walks yet.' : e.message, 'error'); return; }
    const list = (key, cls, fmt) => (d[key] || []).slice(0, 500).map((x) => h('div', { class: `mono small ${cls}`, text: fmt(x) }));
    modal('Diff of two walks', {
      wide: true,
      body: [
        h('p', { text: `${fmtNumber((d.added || []).length)} added, ${fmtNumber((d.removed || []).length)} removed, ${fmtNumber((d.changed || []).length)} changed.` }),
        h('div', { class: 'result' }, list('added', 'diff-add', (x) => `+ ${x.name || x.oid} = ${x.value}`), list('removed', 'diff-del', (x) => `- ${x.name || x.oid} = ${x.value}`), list('changed', 'diff-chg', (x) => `~ ${x.name || x.oid}: ${x.before && typeof x.before === 'object' ? x.before.value : x.before} → ${x.after && typeof x.after === 'object' ? x.after.value : x.after}`)),
      ],
      actions: [{ label: 'Download JSON', onClick: () => downloadText(JSON.stringify(d, null, 2), `walk_diff_${a}_${b}.json`, 'application/json') }, { label: 'Close', class: 'btn-primary' }],
    });
  }

  showView(view);
  render();
  loadHistory();
  if (handoff && handoff.run) run(); else if (!handoff) restoreResult();
  return () => { sc.dispose(); rowsList.destroy(); clearTimeout(searchTimer); };
}

function snmprecTag(type) {
  return { Integer32: '2', OctetString: '4', HexString: '4x', Null: '5', OID: '6', IpAddress: '64', Counter32: '65', Gauge32: '66', Unsigned32: '66', TimeTicks: '67', Opaque: '68', Counter64: '70' }[type] || '4';
}

function snmprecValue(r) {
  if (typeof r.raw === 'number') return String(r.raw);
  if (r.raw && typeof r.raw === 'object' && r.raw.hex) return r.raw.hex;
  return String(r.raw ?? r.value ?? '');
}
