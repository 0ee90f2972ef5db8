// MIB Browser: module and OID trees (lazy), ranked server search, details, walk / send hand-offs.
import { h, field, select, clear, setText } from '../dom.js';
import { icon } from '../icons.js';
import { api } from '../api.js';
import { scope } from '../store.js';
import { go, takeHandoff, loadState, saveState } from '../nav.js';
import { toast, downloadText, toCsv, fmtNumber, stamp, emptyState, badge } from '../ui.js';
import { sectionCard, kvList, iconButton } from '../components.js';

const TYPES = [['', 'All types'], ['MibScalar', 'Scalars'], ['MibTable', 'Tables'], ['MibTableRow', 'Rows'], ['MibTableColumn', 'Columns'], ['NotificationType', 'Notifications'], ['MibIdentifier', 'Identifiers']];

function typeDot(type) {
  return h('span', { class: `type-dot type-${type || 'x'}`, attrs: { 'aria-hidden': 'true' } });
}

export function mount(root) {
  const sc = scope();
  const saved = loadState('browser', { view: 'module', search: '', module: '', type: '', depth: 3, selected: null });
  const handoff = takeHandoff('browser');
  if (handoff) {
    if (handoff.search !== undefined) saved.search = handoff.search;
    if (handoff.type !== undefined) saved.type = handoff.type;
    if (handoff.oid) saved.selected = handoff.oid;
  }

  // ---- controls ----
  const viewSel = select([['module', 'By module'], ['oid', 'By OID']], saved.view, { id: 'br-view' });
  const search = h('input', { id: 'br-search', type: 'search', value: saved.search, placeholder: 'ifDescr, 1.3.6.1.2.1.1.1, interface', autocomplete: 'off' });
  const moduleSel = select([['', 'All modules']], '', { id: 'br-module' });
  const typeSel = select(TYPES, saved.type, { id: 'br-type' });
  const depthSel = select(['1', '2', '3', '4', '5'], String(saved.depth), { id: 'br-depth' });
  const count = h('span', { class: 'badge primary', id: 'br-count', text: '0' });
  const clearBtn = h('button', { class: 'btn', type: 'button', text: 'Clear', on: { click: () => { search.value = ''; moduleSel.value = ''; typeSel.value = ''; refresh(); } } });
  const expandBtn = h('button', { class: 'btn btn-sm', type: 'button', text: 'Expand', on: { click: () => expandAll() } });
  const collapseBtn = h('button', { class: 'btn btn-sm', type: 'button', text: 'Collapse', on: { click: () => collapseAll() } });
  const exportJson = h('button', { class: 'btn btn-sm', type: 'button', text: 'Export JSON', on: { click: () => exportView('json') } });
  const exportCsv = h('button', { class: 'btn btn-sm', type: 'button', text: 'Export CSV', on: { click: () => exportView('csv') } });
  const searchField = field('Search', search);
  search.title = 'At least 2 characters: a name, part of an OID or words from descriptions.';
  const filters = h('div', { class: 'filters' }, field('View', viewSel), searchField, field('Module', moduleSel), field('Type', typeSel), h('div', { class: 'actions' }, clearBtn));
  searchField.classList.add('wide');

  const tree = h('ul', { class: 'tree', attrs: { role: 'tree', 'aria-label': 'MIB tree' } });
  const treeBox = h('div', { class: 'tree-scroll' }, tree);
  const treeCard = sectionCard('Tree', { actions: [count, h('label', { class: 'small', attrs: { for: 'br-depth' }, text: 'Depth' }), depthSel, expandBtn, collapseBtn, exportJson, exportCsv], body: [treeBox], flush: true });
  const details = h('div', { class: 'grid', id: 'br-details' }, emptyState('Select an object to see its details.'));
  root.append(sectionCard('Search & filter', { body: [filters] }), h('div', { class: 'grid grid-side' }, treeCard, sectionCard('Details', { body: [details] })));

  const rendered = new Map(); // oid -> node dict, everything on screen (for export)
  let selectedOid = saved.selected;
  let selectedEl = null;
  let mode = 'tree'; // or 'search'
  let searchResults = [];

  function persist() {
    saveState('browser', { view: viewSel.value, search: search.value, module: moduleSel.value, type: typeSel.value, depth: Number(depthSel.value), selected: selectedOid });
  }

  function nodeItem(node, { lazy = true, level = 1 } = {}) {
    rendered.set(node.oid, node);
    const expandable = lazy && (node.has_children || (node.children && node.children.length));
    const row = h('div', { class: 'tree-node', tabIndex: -1, attrs: { role: 'treeitem', 'aria-level': level, 'aria-selected': String(node.oid === selectedOid) } },
      h('span', { class: 'twisty' }, expandable ? icon('chevron') : null),
      typeDot(node.type),
      h('span', { class: 'ellipsis', text: node.name || node.oid }),
      node.oid && !String(node.oid).startsWith('module:') ? h('span', { class: 'oid ellipsis', text: node.oid }) : null);
    if (expandable) row.setAttribute('aria-expanded', 'false');
    const li = h('li', { attrs: { role: 'none' } }, row);
    li._node = node;
    li._row = row;
    li._level = level;
    row.addEventListener('click', (e) => {
      if (expandable && e.target.closest('.twisty')) { toggle(li); return; }
      selectNode(node, row);
      if (expandable && row.getAttribute('aria-expanded') === 'false' && node.type === 'Module') toggle(li);
    });
    row.addEventListener('dblclick', () => { if (expandable) toggle(li); });
    if (node.oid === selectedOid) { selectedEl = row; }
    return li;
  }

  async function toggle(li, force) {
    const row = li._row;
    const open = row.getAttribute('aria-expanded') === 'true';
    const want = force === undefined ? !open : force;
    if (want === open) return li._sub;
    if (!want) { row.setAttribute('aria-expanded', 'false'); if (li._sub) li._sub.hidden = true; return null; }
    row.setAttribute('aria-expanded', 'true');
    if (li._sub) { li._sub.hidden = false; return li._sub; }
    const sub = h('ul', { attrs: { role: 'group' } });
    li._sub = sub;
    li.append(sub);
    const node = li._node;
    let children = [];
    const isModule = node.type === 'Module';
    if (isModule) {
      // A module lists all of its objects, flat and in OID order (the previous product's view).
      sub.append(h('li', { class: 'muted small', text: 'Loading…' }));
      try {
        const r = await api.get('/mibs/browse/tree/module', { module: node.name });
        children = (r.modules && r.modules[0] && r.modules[0].children) || [];
      } catch (e) {
        clear(sub).append(h('li', { class: 'muted small', text: e.message }));
        return sub;
      }
      clear(sub);
    } else {
      sub.append(h('li', { class: 'muted small', text: 'Loading…' }));
      try {
        const r = await api.get('/mibs/browse/tree/oid', { root_oid: node.oid, depth: 1, module: moduleSel.value || undefined });
        children = r.children || [];
      } catch (e) {
        clear(sub).append(h('li', { class: 'muted small', text: e.message }));
        return sub;
      }
      clear(sub);
    }
    const type = typeSel.value;
    for (const c of children) {
      if (isModule ? type && c.type !== type : type && c.type !== type && !c.has_children) continue;
      sub.append(nodeItem(c, { level: li._level + 1, lazy: !isModule }));
    }
    if (!sub.children.length) sub.append(h('li', { class: 'muted small', text: 'No children.' }));
    updateCount();
    return sub;
  }

  async function expandAll() {
    const depth = Number(depthSel.value);
    const walk = async (ul, d) => {
      if (d > depth) return;
      for (const li of [...ul.children]) {
        if (!li._row || li._row.getAttribute('aria-expanded') === null) continue;
        const sub = await toggle(li, true);
        if (sub) await walk(sub, d + 1);
      }
    };
    expandBtn.disabled = true;
    try { await walk(tree, 1); } finally { expandBtn.disabled = false; }
  }

  function collapseAll() {
    for (const row of tree.querySelectorAll('.tree-node[aria-expanded="true"]')) {
      row.setAttribute('aria-expanded', 'false');
      const ul = row.parentElement._sub;
      if (ul) ul.hidden = true;
    }
  }

  function updateCount() {
    setText(count, mode === 'search' ? `${fmtNumber(searchResults.length)} results` : `${fmtNumber(rendered.size)} nodes`);
  }

  // Keyboard: arrows move between visible rows, right/left expand and collapse, Enter selects.
  tree.addEventListener('keydown', (e) => {
    const rows = [...tree.querySelectorAll('.tree-node')].filter((r) => r.offsetParent !== null);
    const i = rows.indexOf(document.activeElement);
    if (i < 0) return;
    const li = rows[i].parentElement;
    const focus = (r) => { if (r) { r.tabIndex = 0; r.focus(); } };
    if (e.key === 'ArrowDown') { e.preventDefault(); focus(rows[i + 1]); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); focus(rows[i - 1]); }
    else if (e.key === 'ArrowRight') { e.preventDefault(); if (rows[i].getAttribute('aria-expanded') === 'false') toggle(li, true); else focus(rows[i + 1]); }
    else if (e.key === 'ArrowLeft') { e.preventDefault(); if (rows[i].getAttribute('aria-expanded') === 'true') toggle(li, false); else focus(li.parentElement.closest('li')?._row); }
    else if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); selectNode(li._node, rows[i]); }
  });

  let generation = 0;
  async function loadTree() {
    const gen = ++generation;
    mode = 'tree';
    clear(tree);
    rendered.clear();
    tree.append(h('li', { class: 'muted', text: 'Loading…' }));
    try {
      if (viewSel.value === 'module') {
        const r = await api.get('/mibs/browse/tree/module', { module: moduleSel.value || undefined });
        if (gen !== generation) return;
        clear(tree);
        const mods = r.modules || [];
        for (const m of mods) tree.append(nodeItem({ ...m, type: 'Module', has_children: true, oid: m.oid || `module:${m.name}` }));
        if (!mods.length) tree.append(h('li', { class: 'muted', text: 'No modules loaded.' }));
      } else {
        const r = await api.get('/mibs/browse/tree/oid', { root_oid: '1.3.6.1', depth: 2, module: moduleSel.value || undefined });
        if (gen !== generation) return;
        clear(tree);
        const rootLi = nodeItem(r.root || { oid: '1.3.6.1', name: 'internet', has_children: true });
        tree.append(rootLi);
        await toggle(rootLi, true);
      }
    } catch (e) {
      if (gen !== generation) return;
      clear(tree).append(h('li', {}, h('div', { class: 'alert', text: e.status === 404 ? 'The MIB browser API is not available yet.' : e.message })));
    }
    const first = tree.querySelector('.tree-node');
    if (first) first.tabIndex = 0;
    updateCount();
  }

  async function runSearch() {
    const q = search.value.trim();
    const gen = ++generation;
    mode = 'search';
    clear(tree);
    rendered.clear();
    tree.append(h('li', { class: 'muted', text: 'Searching…' }));
    try {
      const r = await api.get('/mibs/browse/search', { query: q, limit: 200, module: moduleSel.value || undefined, type_filter: typeSel.value || undefined });
      if (gen !== generation) return;
      clear(tree);
      searchResults = r.results || [];
      for (const n of searchResults) tree.append(nodeItem(n, { lazy: false }));
      if (!searchResults.length) tree.append(h('li', { class: 'muted', text: `Nothing matches "${q}".` }));
    } catch (e) {
      if (gen !== generation) return;
      clear(tree).append(h('li', {}, h('div', { class: 'alert error', text: e.message })));
    }
    const first = tree.querySelector('.tree-node');
    if (first) first.tabIndex = 0;
    updateCount();
  }

  function refresh() {
    persist();
    const q = search.value.trim();
    searchField.hidden = viewSel.value === 'oid';
    if (viewSel.value === 'module' && q.length >= 2) runSearch();
    else loadTree();
  }
  let debounce = 0;
  search.addEventListener('input', () => { clearTimeout(debounce); debounce = setTimeout(refresh, 500); });
  search.addEventListener('keydown', (e) => { if (e.key === 'Enter') { clearTimeout(debounce); refresh(); } });
  for (const s of [viewSel, moduleSel, typeSel]) s.addEventListener('change', refresh);
  depthSel.addEventListener('change', persist);

  async function selectNode(node, row) {
    if (selectedEl) selectedEl.setAttribute('aria-selected', 'false');
    selectedEl = row;
    if (row) { row.setAttribute('aria-selected', 'true'); row.tabIndex = 0; }
    if (!node || String(node.oid).startsWith('module:')) {
      clear(details).append(moduleDetails(node));
      return;
    }
    selectedOid = node.oid;
    persist();
    clear(details).append(h('p', { class: 'muted', text: 'Loading…' }));
    let d;
    try { d = await api.get(`/mibs/browse/node/${encodeURIComponent(node.full_name || node.oid)}`); } catch (e) {
      clear(details).append(h('div', { class: 'alert error', text: e.message }));
      return;
    }
    renderDetails(d);
  }

  function moduleDetails(node) {
    if (!node) return emptyState('Select an object.');
    return h('div', { class: 'grid' }, h('h3', { text: node.name }), kvList([['Objects', node.objects ?? (node.children || []).length], ['System module', node.is_system ? 'yes' : 'no']]));
  }

  function renderDetails(d) {
    const n = d.node || d;
    clear(details);
    const crumbs = h('nav', { class: 'crumbs', attrs: { 'aria-label': 'Breadcrumb' } });
    (d.breadcrumb || []).forEach((b, i) => {
      if (i) crumbs.append(h('span', { class: 'sep', text: '›' }));
      crumbs.append(h('button', { type: 'button', text: b.name || b.oid, on: { click: () => selectNode(b, null) } }));
    });
    const sd = n.syntax_detail || (typeof n.syntax === 'object' ? n.syntax : null) || {};
    const fmtRanges = (r) => (Array.isArray(r) ? r.map((x) => (Array.isArray(x) ? (x[0] === x[1] ? `${x[0]}` : `${x[0]}..${x[1]}`) : String(x))).join(' | ') : JSON.stringify(r));
    const syntax = [sd.tc || sd.type || (typeof n.syntax === 'string' ? n.syntax : ''), sd.tc && sd.base ? `(${sd.base})` : '', sd.ranges ? `range ${fmtRanges(sd.ranges)}` : '', sd.sizes ? `size ${fmtRanges(sd.sizes)}` : ''].filter(Boolean).join(' ');
    const enums = sd.enums || sd.bits;
    const isTrap = n.type === 'NotificationType';
    const actions = h('div', { class: 'row' },
      isTrap
        ? iconButton('send', 'Send this trap', () => go('traps', { trap: n.full_name || n.oid }), 'btn btn-primary')
        : iconButton('walker', 'Walk this OID', () => go('walker', { oid: n.full_name || n.oid }), 'btn btn-primary'),
      iconButton('copy', 'Copy OID', () => navigator.clipboard?.writeText(n.oid).then(() => toast('Copied', 'success', 1200)).catch(() => {}), 'btn'));
    details.append(crumbs,
      h('div', { class: 'row' }, typeDot(n.type), h('h3', { class: 'mono', text: n.full_name || n.name }), badge(n.type || 'node', 'primary')),
      kvList([['Name', n.name], ['Full name', n.full_name, true], ['OID', n.oid, true], ['Module', n.module], ['Type', n.type], ['Syntax', syntax], ['Access', n.access], ['Status', n.status], ['Units', n.units], ['Display hint', sd.display_hint], ['Row', n.row], ['Augments', Array.isArray(n.augments) ? n.augments.join(', ') : n.augments], ['Reference', n.reference]]));
    if (enums && (Array.isArray(enums) ? enums.length : Object.keys(enums).length)) {
      const pairs = Array.isArray(enums) ? enums.map((e) => [e.value, e.name ?? e.label]) : Object.entries(enums);
      details.append(h('h3', { text: sd.bits ? 'Bits' : 'Enumeration' }), h('div', { class: 'row' }, pairs.map(([v, k]) => badge(`${k}(${v})`, 'info'))));
    }
    details.append(h('h3', { text: 'Description' }), h('p', { class: 'small', text: n.description || 'No description.' }));
    const objs = d.trap_objects || n.objects;
    if (isTrap && objs && objs.length) details.append(h('h3', { text: 'Var-binds' }), h('ul', { class: 'list' }, objs.map((o) => (typeof o === 'string' ? h('li', {}, h('span', { class: 'mono small grow', text: o })) : h('li', {}, h('span', { class: 'mono small grow', text: o.full_name || o.name }), h('span', { class: 'muted small mono', text: o.oid || '' }))))));
    const idx = n.table_indexes && n.table_indexes.length ? n.table_indexes.map((x) => `${x.name}${x.implied ? ' (IMPLIED)' : ''}`) : n.indexes || [];
    if (idx.length) details.append(h('h3', { text: 'Indexes' }), h('div', { class: 'row' }, idx.map((x) => badge(typeof x === 'object' ? x.name || JSON.stringify(x) : x, 'primary'))));
    details.append(actions);
  }

  function viewRecords() {
    const nodes = mode === 'search' ? searchResults : [...rendered.values()];
    return nodes.map((n) => ({ view: mode === 'search' ? 'search' : viewSel.value, oid: n.oid, name: n.name, full_name: n.full_name, module: n.module, type: n.type, description: n.description || '', has_children: Boolean(n.has_children) }));
  }
  function exportView(fmt) {
    const records = viewRecords();
    if (!records.length) { toast('Nothing shown to export.', 'warning'); return; }
    if (fmt === 'json') downloadText(JSON.stringify({ exported_at: new Date().toISOString(), view: mode === 'search' ? 'search' : viewSel.value, records }, null, 2), `snmplab-browser-view-${stamp()}.json`, 'application/json');
    else downloadText(toCsv(records, ['view', 'oid', 'name', 'full_name', 'module', 'type', 'description', 'has_children']), `snmplab-browser-view-${stamp()}.csv`, 'text/csv');
  }

  async function loadModules() {
    try {
      const r = await api.get('/mibs/browse/modules');
      for (const m of r.modules || []) moduleSel.append(h('option', { value: m.name, text: `${m.name} (${m.objects ?? 0})` }));
      moduleSel.value = saved.module || '';
    } catch { /* the tree shows the error */ }
  }

  loadModules().then(() => {
    refresh();
    if (saved.selected && !String(saved.selected).startsWith('module:')) selectNode({ oid: saved.selected }, null);
  });
  sc.on('mibs', () => { clear(moduleSel).append(h('option', { value: '', text: 'All modules' })); loadModules().then(refresh); });
  return () => { sc.dispose(); clearTimeout(debounce); persist(); };
}
