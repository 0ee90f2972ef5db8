// Trap Manager: the live ledger (server-side filters, virtualised), the sender, listeners and users.
import { h, field, select, switchControl, clear, setText } from '../dom.js';
import { icon } from '../icons.js';
import { api } from '../api.js';
import { state, scope } from '../store.js';
import { takeHandoff, loadState, saveState, go } from '../nav.js';
import {
  toast, confirmDialog, modal, downloadBlob, fmtNumber, fmtRelative, liveUptime, badge, stamp, emptyState,
} from '../ui.js';
import {
  sectionCard, severityBadge, trapName, varbindPreview, trapDetail, snmpCredentials, SNMP_TYPES, iconButton, tabs, typedVarbind,
} from '../components.js';
import { VirtualList } from '../vlist.js';

const PAGE_SIZE = 200;
const MAX_IN_MEMORY = 20_000; // older rows are paged back in from the server when scrolled to
const DEFAULT_TRAP = 'IF-MIB::linkDown';

export function mount(root, { args }) {
  const sc = scope();
  const cleanups = [];
  const panels = {
    ledger: h('div', { id: 'panel-ledger', class: 'grid', attrs: { role: 'tabpanel', 'aria-labelledby': 'tab-ledger' } }),
    send: h('div', { id: 'panel-send', class: 'grid', attrs: { role: 'tabpanel', 'aria-labelledby': 'tab-send' } }),
    listeners: h('div', { id: 'panel-listeners', class: 'grid', attrs: { role: 'tabpanel', 'aria-labelledby': 'tab-listeners' } }),
  };
  const built = {};
  const t = tabs([['ledger', 'Received traps'], ['send', 'Send trap / inform'], ['listeners', 'Receiver settings']], (id) => {
    for (const [k, p] of Object.entries(panels)) p.hidden = k !== id;
    if (!built[id]) {
      built[id] = true;
      const fn = { ledger: buildLedger, send: buildSender, listeners: buildListeners }[id];
      const c = fn(panels[id], sc);
      if (c) cleanups.push(c);
    }
    if (location.hash !== `#traps/${id}` && !(id === 'ledger' && location.hash === '#traps')) history.replaceState(null, '', `#traps/${id}`);
  });
  root.append(t.el, ...Object.values(panels));
  const handoff = takeHandoff('traps');
  const first = handoff ? 'send' : ['ledger', 'send', 'listeners'].includes(args[0]) ? args[0] : 'ledger';
  t.select(first);
  if (handoff) sc.handoff = handoff;
  return () => { sc.dispose(); cleanups.forEach((c) => c()); };
}

/* ======================= ledger ======================= */

function buildLedger(panel, sc) {
  // Receiver card
  const stBadge = h('span', { class: 'badge dot', id: 'rcv-badge', text: 'Checking…' });
  const stDetail = h('span', { class: 'muted small', id: 'rcv-detail' });
  const port = h('input', { type: 'number', min: 1, max: 65535, value: '1162', id: 'rcv-port' });
  const resolve = switchControl('Resolve OIDs with MIBs', true, { id: 'rcv-resolve' });
  const startBtn = iconButton('play', 'Start', () => lifecycle('start'), 'btn btn-success');
  const stopBtn = iconButton('stop', 'Stop', () => lifecycle('stop'), 'btn btn-danger');
  startBtn.id = 'rcv-start';
  stopBtn.id = 'rcv-stop';
  const m = {
    total: h('div', { class: 'v', id: 'rcv-total', text: '–' }),
    last: h('div', { class: 'v', id: 'rcv-last', text: '–' }),
    top: h('div', { class: 'v', id: 'rcv-top', text: '–' }),
    uptime: h('div', { class: 'v', id: 'rcv-uptime', text: '–' }),
    dropped: h('div', { class: 'v', id: 'rcv-dropped', text: '–' }),
  };
  const metric = (el, label) => h('div', { class: 'metric' }, h('div', { class: 'l', text: label }), el);
  const receiver = sectionCard('Trap receiver', {
    actions: [stBadge],
    body: [
      stDetail,
      h('div', { class: 'controls' }, field('UDP port', port), h('div', { class: 'field' }, resolve.label), h('div', { class: 'row' }, startBtn, stopBtn)),
      h('div', { class: 'metrics' }, metric(m.total, 'Stored traps'), metric(m.last, 'Last received'), metric(m.top, 'Top source'), metric(m.uptime, 'Uptime'), metric(m.dropped, 'Refused / dropped')),
    ],
  });

  async function lifecycle(action) {
    const btn = action === 'start' ? startBtn : stopBtn;
    btn.disabled = true;
    try {
      const body = action === 'start' ? { port: Number(port.value) || undefined, resolve_mibs: resolve.input.checked } : undefined;
      const r = await api.post(`/traps/${action}`, body);
      toast(r.status === 'already_running' ? 'The receiver is already running.' : action === 'start' ? `Receiver listening on UDP ${r.port ?? port.value}.` : r.status === 'not_running' ? 'The receiver was not running.' : 'Receiver stopped.', 'success');
      if (r.running !== undefined) { state.traps = { ...(state.traps || {}), ...r, _at: Date.now() }; renderStatus(); }
    } catch (e) {
      toast(`Could not ${action} the receiver: ${e.message}`, 'error');
    } finally {
      renderStatus();
    }
  }

  function renderStatus() {
    const s = state.traps;
    if (!s) return;
    const on = Boolean(s.running);
    setText(stBadge, on ? 'RUNNING' : 'STOPPED');
    stBadge.className = `badge dot ${on ? 'ok' : 'bad'}`;
    if (s.reachable === false) { setText(stBadge, 'UNREACHABLE'); stBadge.className = 'badge dot warn'; }
    setText(stDetail, s.reachable === false ? 'The trap daemon does not answer; stored traps are safe and show again when it is back.' : on ? `Port ${s.port} | ${s.resolve_mibs ? 'Resolved' : 'Raw'}${s.listeners && s.listeners.length > 1 ? ` | ${s.listeners.length} listeners` : ''}` : 'Not listening for notifications.');
    startBtn.disabled = on;
    stopBtn.disabled = !on;
    port.disabled = on;
    if (document.activeElement !== port && s.port) port.value = s.port;
    if (s.resolve_mibs !== undefined && s.resolve_mibs !== null) resolve.input.checked = Boolean(s.resolve_mibs);
    setText(m.uptime, liveUptime(s));
    const refused = Object.values(s.refused || {}).reduce((a, b) => a + Number(b || 0), 0);
    const dropped = Object.values(s.dropped || {}).reduce((a, b) => a + Number(b || 0), 0);
    setText(m.dropped, `${fmtNumber(refused)} / ${fmtNumber(dropped)}`);
    renderCounts();
  }

  // The stored total: an exact count from GET /traps/status up to its last_seq, plus the
  // live traps after that seq. Pushed statuses are not used for it: they are snapshots taken
  // at the service's pace and may lag behind the traps already counted here.
  function applyCount(st) {
    if (!st || st.stored_traps === undefined || st.stored_traps === null) return;
    const last = typeof st.last_seq === 'number' ? st.last_seq : null;
    if (last !== null && countedUpTo !== null && last < countedUpTo && !st._reset) return;
    storedCount = Number(st.stored_traps);
    countedUpTo = last;
  }
  async function refreshCount(reset = false) {
    try {
      const st = await api.get('/traps/status');
      state.traps = { ...(state.traps || {}), ...st, _at: Date.now() };
      applyCount(reset ? { ...st, _reset: true } : st);
      renderStatus();
    } catch { /* the status card keeps the last known values */ }
  }

  // Filters: answered by the server over every stored trap.
  const saved = loadState('traps', { q: '', source: '', trap: '', version: '', since: '', until: '' });
  const fq = h('input', { type: 'search', id: 'trap-search', placeholder: 'Text in var-bind names or values', value: saved.q });
  const fsource = h('input', { id: 'trap-source', placeholder: '10.0.0.1', value: saved.source });
  const ftrap = h('input', { id: 'trap-type', placeholder: 'linkDown or 1.3.6…', value: saved.trap });
  const fver = select([['', 'Any'], ['v1', 'v1'], ['v2c', 'v2c'], ['v3', 'v3']], saved.version, { id: 'trap-version' });
  const fsince = h('input', { type: 'datetime-local', id: 'trap-since', value: saved.since, step: 1 });
  const funtil = h('input', { type: 'datetime-local', id: 'trap-until', value: saved.until, step: 1 });
  const applyBtn = iconButton('filter', 'Apply', () => reload(), 'btn btn-primary');
  const resetBtn = h('button', { class: 'btn', type: 'button', text: 'Reset filters', on: { click: () => { for (const i of [fq, fsource, ftrap, fsince, funtil]) i.value = ''; fver.value = ''; reload(); } } });
  const wide = field('Search', fq);
  wide.classList.add('wide');
  const filterForm = h('form', { class: 'filters', attrs: { role: 'search', 'aria-label': 'Filter traps' } },
    wide, field('Source', fsource), field('Trap type or OID', ftrap), field('Version', fver),
    field('From', fsince), field('To', funtil), h('div', { class: 'actions' }, applyBtn, resetBtn));
  filterForm.addEventListener('submit', (e) => { e.preventDefault(); reload(); });
  let debounce = 0;
  fq.addEventListener('input', () => { clearTimeout(debounce); debounce = setTimeout(reload, 350); });
  for (const i of [fver, fsince, funtil]) i.addEventListener('change', reload);

  const countBadge = h('span', { class: 'badge primary', id: 'trap-count', attrs: { 'aria-live': 'polite' }, text: '0' });
  const newBtn = h('button', { class: 'btn btn-sm btn-primary', type: 'button', hidden: true, id: 'trap-new' });
  const fmtSel = select([['json', 'JSON'], ['ndjson', 'NDJSON'], ['csv', 'CSV']], 'json', { attrs: { 'aria-label': 'Export format' }, class: 'btn-sm' });
  fmtSel.style.width = 'auto';
  const exportBtn = iconButton('download', 'Export', () => exportTraps(), 'btn btn-sm');
  const clearBtn = iconButton('trash', 'Clear', () => clearTraps(), 'btn btn-sm btn-danger');
  clearBtn.id = 'trap-clear';
  const pauseSw = switchControl('Live', true, { id: 'trap-live' });

  const head = h('div', { class: 'vhead trap-cols', attrs: { 'aria-hidden': 'true' } },
    h('span', { text: 'Time' }), h('span', { text: 'Source' }), h('span', { text: 'Trap type' }), h('span', { text: 'Ver' }), h('span', { text: 'Var-binds' }));
  const freshAfter = { seq: Infinity };
  const vl = new VirtualList({
    className: 'trap-cols',
    label: 'Received traps, newest first',
    renderRow(tr, row) {
      clear(row);
      row.setAttribute('aria-label', `${tr.trap_type || 'trap'} from ${tr.source || ''} at ${tr.time_str || ''}`);
      row.classList.toggle('fresh', tr.seq > freshAfter.seq);
      row.append(
        h('span', { class: 'mono small', text: tr.time_str || '' }),
        h('span', { class: 'mono small', text: tr.source || '' }),
        h('span', {}, severityBadge(trapName(tr))),
        h('span', { class: 'small muted', text: tr.version || '' }),
        h('span', { class: 'mono small muted', text: varbindPreview(tr) }),
      );
    },
    onOpen: (tr) => trapDetail(tr, { onFilter: (key, value) => { (key === 'source' ? fsource : ftrap).value = value; reload(); } }),
    onEnd: () => loadOlder(),
  });
  const empty = emptyState('No traps match. Send one with snmptrap, or from the Send tab.');
  const ledger = sectionCard('Received traps', {
    actions: [countBadge, newBtn, pauseSw.label, fmtSel, exportBtn, clearBtn],
    body: [filterForm, h('div', {}, head, vl.el, empty)],
  });
  ledger.body.lastElementChild.classList.add('ledger');
  panel.append(receiver, ledger);

  // Data
  let items = [];
  const seqs = new Set();
  let pending = [];
  let flushQueued = false;
  let pausedNew = 0;
  let storedCount = null;
  let countedUpTo = null;
  let reachedEnd = false;
  let loadingOlder = false;
  let generation = 0;
  const sourceCounts = new Map();

  function filters() {
    const toIso = (v) => (v ? new Date(v).toISOString() : undefined);
    return { q: fq.value.trim(), source: fsource.value.trim(), trap: ftrap.value.trim(), version: fver.value, since: toIso(fsince.value), until: toIso(funtil.value) };
  }
  function filtered() {
    const f = filters();
    return Boolean(f.q || f.source || f.trap || f.version || f.since || f.until);
  }
  function renderCounts() {
    const total = storedCount ?? state.stats?.traps?.traps_stored;
    setText(countBadge, filtered() ? `${fmtNumber(items.length)}${reachedEnd ? '' : '+'} matching` : `${fmtNumber(items.length)} shown${total !== undefined && total !== null ? ` of ${fmtNumber(total)}` : ''}`);
    setText(m.total, fmtNumber(total ?? items.length));
    empty.hidden = items.length > 0;
    vl.el.hidden = items.length === 0;
    head.hidden = items.length === 0;
    let top = null, n = 0;
    for (const [k, v] of sourceCounts) if (v > n) { top = k; n = v; }
    setText(m.top, top ? `${top} (${n})` : '–');
    setText(m.last, items[0] ? fmtRelative(items[0].timestamp) : '–');
  }
  function countSource(tr, d = 1) {
    const ip = String(tr.source || '').replace(/:\d+$/, '');
    sourceCounts.set(ip, (sourceCounts.get(ip) || 0) + d);
  }
  function addOlder(list) {
    for (const tr of list) {
      if (tr.seq !== undefined && seqs.has(tr.seq)) continue;
      if (tr.seq !== undefined) seqs.add(tr.seq);
      items.push(tr);
      countSource(tr);
    }
  }

  async function reload() {
    const f = filters();
    saveState('traps', { q: fq.value, source: fsource.value, trap: ftrap.value, version: fver.value, since: fsince.value, until: funtil.value });
    const gen = ++generation;
    items = [];
    seqs.clear();
    sourceCounts.clear();
    pending = [];
    pausedNew = 0;
    newBtn.hidden = true;
    reachedEnd = false;
    try {
      const r = await api.get('/traps', { ...f, limit: PAGE_SIZE });
      if (gen !== generation) return;
      addOlder(r.data || []);
      reachedEnd = !r.next_before_seq && (r.data || []).length < PAGE_SIZE;
      freshAfter.seq = items[0]?.seq ?? -1;
    } catch (e) {
      if (gen === generation) toast(`Could not load traps: ${e.message}`, 'error');
    }
    vl.el.scrollTop = 0;
    vl.setItems(items);
    renderCounts();
  }

  async function loadOlder() {
    if (loadingOlder || reachedEnd || !items.length) return;
    const last = items[items.length - 1];
    if (last.seq === undefined) return;
    loadingOlder = true;
    const gen = generation;
    try {
      const r = await api.get('/traps', { ...filters(), limit: PAGE_SIZE, before_seq: last.seq });
      if (gen !== generation) return;
      addOlder(r.data || []);
      reachedEnd = !r.next_before_seq;
      vl.setItems(items);
      renderCounts();
    } catch (e) {
      toast(`Could not load older traps: ${e.message}`, 'error');
    } finally {
      loadingOlder = false;
    }
  }

  // Live traps arrive in bursts; the DOM changes once per animation frame.
  function flush() {
    flushQueued = false;
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    batch.reverse();
    const fresh = [];
    for (const tr of batch) {
      if (tr.seq !== undefined) { if (seqs.has(tr.seq)) continue; seqs.add(tr.seq); }
      fresh.push(tr);
      countSource(tr);
    }
    if (!fresh.length) return;
    const atTop = vl.el.scrollTop < 4;
    items = fresh.concat(items);
    if (items.length > MAX_IN_MEMORY) {
      for (const tr of items.splice(MAX_IN_MEMORY)) { seqs.delete(tr.seq); countSource(tr, -1); }
      reachedEnd = false;
    }
    // Keep what the reader is looking at still while rows arrive above it.
    if (!atTop) vl.el.scrollTop += fresh.length * vl.rowHeight;
    if (storedCount !== null) {
      const base = countedUpTo;
      for (const tr of fresh) {
        if (typeof tr.seq !== 'number') { storedCount += 1; continue; }
        if (base === null || tr.seq > base) {
          storedCount += 1;
          if (countedUpTo === null || tr.seq > countedUpTo) countedUpTo = tr.seq;
        }
      }
    }
    vl.setItems(items);
    renderCounts();
  }

  sc.on('trap', (tr) => {
    if (!pauseSw.input.checked || filtered()) {
      pausedNew += 1;
      newBtn.hidden = false;
      setText(newBtn, `${fmtNumber(pausedNew)} new – show`);
      return;
    }
    pending.push(tr);
    if (!flushQueued) { flushQueued = true; requestAnimationFrame(flush); }
  });
  let missedTimer = 0;
  sc.on('missed', (msg) => {
    // The server dropped live messages for this slow client; the store has every trap.
    // Coalesce a burst of notices into one reload of the first page.
    if (!msg.count) return;
    clearTimeout(missedTimer);
    missedTimer = setTimeout(() => {
      toast(`${fmtNumber(msg.count)} live traps were skipped to keep up; the list was reloaded from the store.`, 'warning');
      reload();
      refreshCount();
    }, 300);
  });
  newBtn.addEventListener('click', () => { if (!filtered()) pauseSw.input.checked = true; reload(); });
  pauseSw.input.addEventListener('change', () => { if (pauseSw.input.checked && pausedNew) reload(); });
  sc.on('status', renderStatus);
  sc.on('stats', () => {
    const st = state.stats?.traps?.traps_stored;
    if (storedCount === null && st !== undefined) renderCounts();
  });
  sc.on('open', () => refreshCount(true));

  async function exportTraps() {
    const fmt = fmtSel.value;
    exportBtn.disabled = true;
    try {
      const { blob } = await api.download('/traps/export', { ...filters(), format: fmt });
      downloadBlob(blob, `traps_${stamp()}.${fmt}`);
      toast('Export downloaded.', 'success');
    } catch (e) {
      toast(`Export failed: ${e.message}`, 'error');
    } finally {
      exportBtn.disabled = false;
    }
  }

  async function clearTraps() {
    const ok = await confirmDialog('Clear all traps?', 'Every stored trap is deleted from the trap store. This cannot be undone.', { confirmLabel: 'Clear traps', danger: true });
    if (!ok) return;
    try {
      const r = await api.del('/traps');
      toast(`Cleared ${r && r.deleted !== undefined ? fmtNumber(r.deleted) + ' traps' : 'the trap store'}.`, 'success');
      reload();
      refreshCount(true);
    } catch (e) {
      toast(`Clear failed: ${e.message}`, 'error');
    }
  }

  const relTimer = setInterval(() => { setText(m.last, items[0] ? fmtRelative(items[0].timestamp) : '–'); setText(m.uptime, liveUptime(state.traps)); }, 1000);
  renderStatus();
  reload();
  refreshCount(true);
  return () => { vl.destroy(); clearInterval(relTimer); clearTimeout(debounce); };
}

/* ======================= sender ======================= */

function guessType(name, syntax) {
  const s = `${syntax || ''} ${name || ''}`.toLowerCase();
  if (/counter64/.test(s)) return 'Counter64';
  if (/counter/.test(s)) return 'Counter32';
  if (/gauge|unsigned/.test(s)) return 'Gauge32';
  if (/timeticks|uptime/.test(s)) return 'TimeTicks';
  if (/ipaddress/.test(s)) return 'IpAddress';
  if (/objectidentifier|objectid|oid/.test(s.replace(/\s/g, ''))) return 'ObjectIdentifier';
  if (/integer|index|status|type|enum/.test(s)) return 'Integer32';
  return 'OctetString';
}

function buildSender(panel, sc) {
  const memo = JSON.parse(localStorage.getItem('snmplab_sender') || '{}');
  const target = h('input', { id: 'send-target', value: memo.target || '127.0.0.1', autocomplete: 'off', spellcheck: false });
  const port = h('input', { id: 'send-port', type: 'number', min: 1, max: 65535, value: memo.port || 1162 });
  const cred = snmpCredentials({ version: memo.version || 'v2c', community: memo.community ?? 'public', withEngineId: true, idPrefix: 'send' });
  cred.set(memo);
  const kind = select([['trap', 'Trap'], ['inform', 'Inform (acknowledged)']], memo.kind || 'trap', { id: 'send-kind' });
  const count = h('input', { id: 'send-count', type: 'number', min: 1, max: 100000, value: 1 });
  const rate = h('input', { id: 'send-rate', type: 'number', min: 0, step: 'any', value: 10 });
  const picker = h('select', { id: 'send-picker' }, h('option', { value: '', text: 'Loading notifications…' }));
  const trapOid = h('input', { id: 'send-oid', value: DEFAULT_TRAP, spellcheck: false, autocomplete: 'off' });
  const browseTrap = iconButton('search', 'Find in MIB Browser', () => go('browser', { search: trapOid.value.split('::').pop(), type: 'NotificationType' }), 'btn');

  const vbBody = h('tbody');
  const vbTable = h('table', { class: 'table' },
    h('thead', {}, h('tr', {}, h('th', { text: 'OID or name' }), h('th', { text: 'Type' }), h('th', { text: 'Value' }), h('th', { text: '', attrs: { 'aria-label': 'Remove' } }))), vbBody);
  function addRow(oid = '', type = 'OctetString', value = '') {
    const o = h('input', { value: oid, spellcheck: false, attrs: { 'aria-label': 'Var-bind OID' }, class: 'mono' });
    const ty = select(SNMP_TYPES, type, { attrs: { 'aria-label': 'Var-bind type' } });
    const v = h('input', { value, spellcheck: false, attrs: { 'aria-label': 'Var-bind value' } });
    const tr = h('tr', {}, h('td', {}, o), h('td', {}, ty), h('td', {}, v),
      h('td', {}, h('button', { class: 'icon-btn sm', type: 'button', attrs: { 'aria-label': 'Remove var-bind' }, on: { click: () => tr.remove() } }, icon('x'))));
    tr._get = () => typedVarbind(o.value.trim(), ty.value, v.value);
    vbBody.append(tr);
    return o;
  }
  function reset() {
    trapOid.value = DEFAULT_TRAP;
    picker.value = '';
    clear(vbBody);
    addRow('IF-MIB::ifIndex.1', 'Integer32', '1');
    addRow('IF-MIB::ifAdminStatus.1', 'Integer32', '1');
    addRow('IF-MIB::ifOperStatus.1', 'Integer32', '2');
  }
  const result = h('div', { id: 'send-result', attrs: { 'aria-live': 'polite' } });
  const sendBtn = iconButton('send', 'Send', () => send(), 'btn btn-primary');
  sendBtn.id = 'send-submit';
  let trapsLib = [];

  function applyTrap(tr) {
    trapOid.value = tr.full_name || tr.oid;
    clear(vbBody);
    for (const o of tr.objects || []) addRow(`${o.full_name || o.name}.0`.replace(/\.0$/, o.index_hint || '.1'), guessType(o.name, o.syntax), '');
    if (!(tr.objects || []).length) addRow();
  }
  picker.addEventListener('change', () => {
    const tr = trapsLib.find((x) => (x.full_name || x.oid) === picker.value);
    if (tr) applyTrap(tr);
  });
  api.get('/mibs/traps').then((r) => {
    trapsLib = (r && r.traps) || [];
    clear(picker).append(h('option', { value: '', text: trapsLib.length ? `Choose one of ${trapsLib.length} notifications…` : 'No notifications in the MIB library' }));
    for (const tr of trapsLib) picker.append(h('option', { value: tr.full_name || tr.oid, text: `${tr.full_name || tr.name} (${(tr.objects || []).length} objects)` }));
    const ho = sc.handoff;
    if (ho && ho.trap) {
      const found = trapsLib.find((x) => x.full_name === ho.trap || x.oid === ho.trap);
      if (found) { picker.value = found.full_name || found.oid; applyTrap(found); } else trapOid.value = ho.trap;
    }
  }).catch(() => { clear(picker).append(h('option', { value: '', text: 'MIB library unavailable' })); });

  async function browseObjects() {
    const search = h('input', { type: 'search', placeholder: 'Name or module', attrs: { 'aria-label': 'Search objects' } });
    const list = h('ul', { class: 'list' });
    const m = modal('Add a var-bind from the MIB library', { wide: true, body: [search, list], actions: [{ label: 'Close' }] });
    let objects = [];
    const render = () => {
      clear(list);
      const q = search.value.trim().toLowerCase();
      const shown = objects.filter((o) => !q || `${o.name} ${o.module} ${o.oid}`.toLowerCase().includes(q)).slice(0, 100);
      if (!shown.length) list.append(h('li', { class: 'muted', text: objects.length ? 'Nothing matches.' : 'Loading…' }));
      for (const o of shown) {
        list.append(h('li', {},
          h('span', { class: 'grow' }, h('div', { class: 'mono', text: o.full_name || `${o.module}::${o.name}` }), h('div', { class: 'muted small', text: `${o.oid} · ${o.syntax || o.type || ''}` })),
          h('button', { class: 'btn btn-sm', type: 'button', text: 'Add', on: { click: () => { addRow(`${o.full_name || o.name}${o.type === 'MibScalar' ? '.0' : '.1'}`, guessType(o.name, o.syntax), ''); toast(`Added ${o.name}`, 'success', 1200); } } })));
      }
    };
    search.addEventListener('input', render);
    render();
    try {
      const r = await api.get('/mibs/objects');
      objects = (r && r.objects) || [];
      render();
    } catch (e) {
      clear(list).append(h('li', { class: 'muted', text: `Could not load objects: ${e.message}` }));
    }
    await m.result;
  }

  async function send() {
    const vbs = [...vbBody.children].map((tr) => tr._get()).filter((v) => v.oid);
    if (!target.value.trim()) { toast('Enter a target host.', 'warning'); target.focus(); return; }
    if (!trapOid.value.trim()) { toast('Enter the notification OID or name.', 'warning'); trapOid.focus(); return; }
    const c = cred.get();
    const body = {
      target: target.value.trim(), port: Number(port.value) || 162, ...c, notification: kind.value,
      oid: trapOid.value.trim(), varbinds: vbs,
      count: Math.max(1, Number(count.value) || 1), rate: Number(rate.value) || undefined,
    };
    localStorage.setItem('snmplab_sender', JSON.stringify({ target: body.target, port: body.port, kind: kind.value, ...cred.memo() }));
    sendBtn.disabled = true;
    clear(result).append(h('div', { class: 'progress indeterminate' }, h('span')));
    try {
      const r = await api.post('/traps/send', body);
      const parts = [`${kind.value === 'inform' ? 'Inform' : 'Trap'} sent to ${body.target}:${body.port}`];
      if (r && r.sent !== undefined) parts.push(`sent ${r.sent}`);
      if (r && r.acknowledged !== undefined && r.acknowledged !== null) parts.push(`acknowledged ${r.acknowledged}`);
      if (r && r.timed_out) parts.push(`timed out ${r.timed_out}`);
      if (r && r.failed) parts.push(`failed ${r.failed}`);
      if (r && r.seconds !== undefined) parts.push(`${r.seconds} s`);
      const bad = r && (r.failed || r.timed_out);
      clear(result).append(h('div', { class: `alert ${bad ? 'warning' : 'success'}`, text: parts.join(' · ') }));
      toast(parts[0], 'success');
    } catch (e) {
      clear(result).append(h('div', { class: 'alert error', text: e.message }));
      toast(`Send failed: ${e.message}`, 'error');
    } finally {
      sendBtn.disabled = false;
    }
  }

  reset();
  panel.append(h('div', { class: 'grid grid-side-l' },
    sectionCard('Destination', { body: [h('div', { class: 'form-grid' }, h('div', { class: 'span-2' }, field('Target host', target)), field('Port', port), cred.el, field('Notification', kind), field('Repeat count', count), field('Rate (per second)', rate))] }),
    sectionCard('Notification', {
      body: [
        field('Select a notification from the MIB library', picker),
        h('div', { class: 'field' }, h('label', { attrs: { for: 'send-oid' }, text: 'Or enter the notification OID' }), h('div', { class: 'input-group' }, trapOid, browseTrap)),
        h('div', { class: 'row between' }, h('h3', { text: 'Var-binds' }), h('div', { class: 'row' },
          iconButton('plus', 'Add', () => addRow().focus(), 'btn btn-sm'), iconButton('search', 'Browse objects', browseObjects, 'btn btn-sm'), iconButton('restart', 'Reset', reset, 'btn btn-sm'))),
        h('div', { class: 'table-wrap' }, vbTable),
        h('p', { class: 'muted small', text: 'sysUpTime.0 and snmpTrapOID.0 are added by the sender. Names such as IF-MIB::ifIndex.1 are resolved by the server.' }),
        h('div', { class: 'row end' }, sendBtn),
        result,
      ],
    })));
}

/* ======================= listeners and users ======================= */

function buildListeners(panel) {
  const lBody = h('div', { class: 'grid' });
  const uBody = h('div', { class: 'grid' });
  const cBody = h('div', { class: 'grid' });
  panel.append(h('div', { class: 'grid grid-2' },
    sectionCard('Listeners', { body: [lBody] }),
    sectionCard('SNMPv3 users (receiving)', { body: [uBody] })),
  sectionCard('Rules, retention and allowlist', { body: [cBody] }));

  async function loadConfig() {
    clear(cBody);
    let cfg;
    try { cfg = await api.get('/traps/config'); } catch (e) { cBody.append(h('div', { class: 'alert', text: e.status === 404 || e.status === 422 ? 'This trap daemon has no runtime configuration API.' : e.message })); return; }
    delete cfg.listeners;
    const editor = h('textarea', { class: 'code-editor', spellcheck: false, value: JSON.stringify(cfg, null, 2), attrs: { 'aria-label': 'Trap daemon configuration JSON' } });
    const save = h('button', { class: 'btn btn-primary', type: 'button', text: 'Apply configuration', on: { click: async () => {
      let next;
      try { next = JSON.parse(editor.value); } catch (e) { toast(`JSON: ${e.message}`, 'error'); return; }
      try { const r = await api.patch('/traps/config', next); delete r.listeners; editor.value = JSON.stringify(r, null, 2); toast('Configuration applied; no listener was restarted.', 'success'); } catch (e) { toast(e.message, 'error'); }
    } } });
    cBody.append(h('p', { class: 'muted small', text: 'Community allowlist, retention by count and age, the SNMPv3 time window, and the rules that are off by default: deduplication, per-source rate limits, forwarding to a webhook or syslog. Changes apply at once.' }), editor, h('div', { class: 'row' }, save));
  }
  loadConfig();

  async function loadListeners() {
    clear(lBody);
    let list;
    let managed = true;
    try {
      const r = await api.get('/traps/listeners');
      list = Array.isArray(r) ? r : r.listeners || [];
    } catch (e) {
      if (![404, 405, 422].includes(e.status)) { lBody.append(h('div', { class: 'alert error', text: e.message })); return; }
      managed = false;
      try { list = (await api.get('/traps/status')).listeners || []; } catch (e2) { lBody.append(h('div', { class: 'alert error', text: e2.message })); return; }
    }
    const action = (name, what) => async () => {
      try { await api.post(`/traps/listeners/${encodeURIComponent(name)}/${what}`); toast(`Listener ${name}: ${what}.`, 'success'); loadListeners(); } catch (e) { toast(e.message, 'error'); }
    };
    const table = h('table', { class: 'table' }, h('thead', {}, h('tr', {}, ...['Name', 'Address', 'State', 'Datagrams (kernel drops)', ''].map((x) => h('th', { text: x })))),
      h('tbody', {}, list.map((l) => h('tr', {},
        h('td', { text: l.name }), h('td', { class: 'mono nowrap', text: `${l.host}:${l.port}` }),
        h('td', {}, badge(l.running ? 'listening' : 'stopped', l.running ? 'ok' : 'bad')),
        h('td', { text: `${fmtNumber(l.datagrams)} (${fmtNumber(l.kernel_drops)})` }),
        h('td', { class: 'nowrap' }, managed ? [
          h('button', { class: 'btn btn-sm', type: 'button', text: l.running ? 'Stop' : 'Start', on: { click: action(l.name, l.running ? 'stop' : 'start') } }), ' ',
          l.name !== 'default' ? h('button', { class: 'btn btn-sm btn-danger', type: 'button', text: 'Remove', on: { click: () => removeListener(l.name) } }) : null,
        ] : null)))));
    lBody.append(list.length ? h('div', { class: 'table-wrap' }, table) : emptyState('No listeners.'));
    if (!managed) {
      lBody.append(h('p', { class: 'muted small', text: 'This trap daemon runs one listener, set by its port above; adding more listeners from the UI needs a newer trap daemon.' }));
      return;
    }
    const name = h('input', { placeholder: 'lab-2' });
    const host = h('input', { placeholder: 'trapd\'s address' });
    const port = h('input', { type: 'number', min: 0, max: 65535, placeholder: '0 = any free port' });
    const add = h('form', { class: 'form-grid' }, field('Name', name), field('Address', host), field('Port', port), h('button', { class: 'btn btn-primary', type: 'submit', text: 'Add listener' }));
    add.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await api.post('/traps/listeners', { name: name.value.trim(), host: host.value.trim() || undefined, port: Number(port.value) || 0, start: true });
        toast('Listener added.', 'success');
        loadListeners();
      } catch (ex) { toast(ex.status === 404 || ex.status === 405 ? 'This trap daemon does not manage extra listeners yet.' : ex.message, 'error'); }
    });
    lBody.append(h('h3', { text: 'Add a listener' }), add);
  }
  async function removeListener(name) {
    if (!(await confirmDialog('Remove listener?', `Stop and remove listener ${name}?`, { confirmLabel: 'Remove', danger: true }))) return;
    try { await api.del(`/traps/listeners/${encodeURIComponent(name)}`); toast('Listener removed.', 'success'); loadListeners(); } catch (e) { toast(e.message, 'error'); }
  }

  async function loadUsers() {
    clear(uBody);
    let users = null;
    try {
      const r = await api.get('/traps/users');
      users = Array.isArray(r) ? r : r.users || r.data || [];
      if (r.engine_id) uBody.append(h('p', { class: 'small muted' }, 'Receiver engine ID (for informs): ', h('span', { class: 'mono', text: r.engine_id })));
    } catch (e) {
      uBody.append(h('div', { class: 'alert', text: e.status === 404 ? 'The trap daemon does not manage SNMPv3 users yet.' : e.message }));
    }
    if (users) {
      const table = h('table', { class: 'table' }, h('thead', {}, h('tr', {}, ...['User', 'Level', 'Auth', 'Privacy', 'Engine ID', ''].map((x) => h('th', { text: x })))),
        h('tbody', {}, users.map((u) => h('tr', {},
          h('td', { class: 'mono', text: u.user || u.name }), h('td', { class: 'small', text: u.security_level || '' }), h('td', { text: u.auth_protocol || '–' }), h('td', { text: u.priv_protocol || '–' }),
          h('td', { class: 'mono small', text: u.engine_id || 'any' }),
          h('td', {}, h('button', { class: 'btn btn-sm btn-danger', type: 'button', text: 'Delete', on: { click: () => removeUser(u.user || u.name) } }))))));
      uBody.append(users.length ? h('div', { class: 'table-wrap' }, table) : emptyState('No SNMPv3 users. SNMPv3 traps are refused until one is added.'));
    }
    const cred = snmpCredentials({ version: 'v3', withEngineId: true, idPrefix: 'usm' });
    cred.version.closest('.field').hidden = true;
    cred.el.querySelector('#usm-context').closest('.field').hidden = true;
    const form = h('form', { class: 'form-grid' }, cred.el, h('button', { class: 'btn btn-primary', type: 'submit', text: 'Add user' }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = cred.get();
      if (!v.user) { toast('Enter a user name.', 'warning'); return; }
      const body = {
        name: v.user,
        auth_protocol: v.auth_protocol !== 'none' ? v.auth_protocol : null, auth_passphrase: v.auth_key || null,
        priv_protocol: v.priv_protocol !== 'none' ? v.priv_protocol : null, priv_passphrase: v.priv_key || null,
        engine_id: v.engine_id || null,
      };
      try { await api.post('/traps/users', body); toast(`User ${v.user} added.`, 'success'); loadUsers(); } catch (ex) { toast(ex.message, 'error'); }
    });
    uBody.append(h('h3', { text: 'Add a user' }), h('p', { class: 'muted small', text: 'Leave the engine ID empty to accept this user from any authoritative engine.' }), form);
  }
  async function removeUser(name) {
    if (!(await confirmDialog('Delete user?', `Delete SNMPv3 user ${name}?`, { confirmLabel: 'Delete', danger: true }))) return;
    try { await api.del(`/traps/users/${encodeURIComponent(name)}`); toast('User deleted.', 'success'); loadUsers(); } catch (e) { toast(e.message, 'error'); }
  }
  loadListeners();
  loadUsers();
}
