// MIB Manager: the library, failures with missing dependencies, upload with batch validation
// (drag and drop), the trap library.
import { h, clear, setText } from '../dom.js';
import { icon } from '../icons.js';
import { api } from '../api.js';
import { scope } from '../store.js';
import { go } from '../nav.js';
import { toast, confirmDialog, modal, fmtNumber, emptyState, badge } from '../ui.js';
import { sectionCard, kvList, iconButton } from '../components.js';

const ACCEPT = '.mib,.txt,.my,.zip';
const SYSTEM_MODULES = new Set(['SNMPv2-MIB', 'SNMPv2-SMI', 'SNMPv2-TC', 'SNMPv2-CONF', 'RMON-MIB', 'SNMP-FRAMEWORK-MIB']);

export function mount(root) {
  const sc = scope();
  const cLoaded = h('div', { class: 'stat-value', id: 'mib-loaded', text: '–' });
  const cFailed = h('div', { class: 'stat-value', id: 'mib-failed', text: '–' });
  const cTraps = h('div', { class: 'stat-value', id: 'mib-traps', text: '–' });
  const stat = (el, label, ic) => h('div', { class: 'card stat-card' }, h('div', { class: 'stat-icon' }, icon(ic)), h('div', {}, h('div', { class: 'stat-label', text: label }), el));
  root.append(h('div', { class: 'grid grid-3' }, stat(cLoaded, 'Loaded', 'mibs'), stat(cFailed, 'Failed', 'alert'), stat(cTraps, 'Notifications', 'traps')));

  const libList = h('ul', { class: 'list', id: 'mib-list', attrs: { 'aria-label': 'Loaded MIB modules' } });
  const libSearch = h('input', { type: 'search', placeholder: 'Filter modules', attrs: { 'aria-label': 'Filter modules' } });
  const uploadBtn = iconButton('upload', 'Upload', () => openUpload([]), 'btn btn-primary btn-sm');
  uploadBtn.id = 'mib-upload';
  const reloadBtn = iconButton('refresh', 'Reload', () => reload(), 'btn btn-sm');
  const dropHint = h('p', { class: 'muted small', text: 'Drop .mib, .txt, .my or .zip files anywhere on this card to validate and upload them.' });
  const library = sectionCard('MIB library', { actions: [h('div', {}, libSearch), uploadBtn, reloadBtn], body: [dropHint, h('div', { class: 'table-wrap' }, libList)] });
  library.body.querySelector('.table-wrap').style.maxHeight = '520px';
  const failedCard = sectionCard('Failed MIBs', { body: [] });
  failedCard.hidden = true;
  const trapSearch = h('input', { type: 'search', placeholder: 'Search name, module, OID, description', attrs: { 'aria-label': 'Search notifications' } });
  const trapBody = h('div', { class: 'table-wrap' });
  trapBody.style.maxHeight = '520px';
  const trapCount = h('span', { class: 'badge primary', text: '0' });
  const trapCard = sectionCard('Trap library', { actions: [trapCount, h('div', {}, trapSearch)], body: [trapBody], flush: true });
  root.append(h('div', { class: 'grid grid-2' }, h('div', { class: 'grid' }, library, failedCard), trapCard));

  // Drag and drop onto the library card.
  for (const ev of ['dragenter', 'dragover']) library.addEventListener(ev, (e) => { e.preventDefault(); library.classList.add('over'); });
  for (const ev of ['dragleave', 'drop']) library.addEventListener(ev, (e) => { e.preventDefault(); if (ev === 'drop' || !library.contains(e.relatedTarget)) library.classList.remove('over'); });
  library.addEventListener('drop', (e) => { const files = [...(e.dataTransfer?.files || [])]; if (files.length) openUpload(files); });

  let status = null;
  let traps = [];

  async function load() {
    try {
      status = await api.get('/mibs/status');
    } catch (e) {
      clear(libList).append(h('li', {}, h('div', { class: 'alert', text: e.status === 404 ? 'The MIB library API is not available yet.' : e.message })));
      return;
    }
    setText(cLoaded, fmtNumber(status.loaded));
    setText(cFailed, fmtNumber(status.failed));
    renderLib();
    renderFailed();
  }

  function renderLib() {
    clear(libList);
    const q = libSearch.value.trim().toLowerCase();
    const mibs = (status?.mibs || []).filter((m) => !q || `${m.name} ${m.file}`.toLowerCase().includes(q))
      .sort((a, b) => (a.origin === 'user' ? 0 : 1) - (b.origin === 'user' ? 0 : 1) || a.name.localeCompare(b.name));
    if (!mibs.length) { libList.append(h('li', { class: 'muted', text: q ? 'No module matches.' : 'No MIBs loaded.' })); return; }
    for (const m of mibs) {
      const imports = (m.imports || []).slice(0, 3).join(', ') + ((m.imports || []).length > 3 ? '…' : '');
      const user = m.origin === 'user';
      const del = user && m.file
        ? h('button', { class: 'icon-btn sm', type: 'button', attrs: { 'aria-label': `Delete ${m.name}`, title: 'Delete' }, on: { click: () => remove(m) } }, icon('trash'))
        : null;
      libList.append(h('li', {},
        h('span', { class: 'stat-icon ok', attrs: { 'aria-hidden': 'true' } }, icon('check')),
        h('div', { class: 'grow' }, h('div', { class: 'mono', text: m.name }), h('div', { class: 'muted small', text: `${fmtNumber(m.objects)} objects · ${fmtNumber(m.traps)} traps${imports ? ` · Imports: ${imports}` : ''}` })),
        user ? badge('uploaded', 'primary') : badge(m.origin || 'standard', ''), del));
    }
    for (const ic of libList.querySelectorAll('.stat-icon')) { ic.style.width = '28px'; ic.style.height = '28px'; ic.style.borderRadius = '8px'; }
  }
  libSearch.addEventListener('input', renderLib);

  function renderFailed() {
    const errors = status?.errors || (status?.mibs || []).filter((m) => m.status && m.status !== 'loaded');
    failedCard.hidden = !errors.length;
    clear(failedCard.body);
    for (const m of errors) {
      const missing = m.missing_deps || [];
      const fetchBtn = missing.length ? h('button', { class: 'btn btn-sm', type: 'button', text: 'Fetch', on: { click: () => fetchDeps(missing) } }) : null;
      const help = missing.length ? h('button', { class: 'btn btn-sm', type: 'button', text: 'Help', on: { click: () => depsHelp(missing) } }) : null;
      const del = h('button', { class: 'btn btn-sm btn-danger', type: 'button', text: 'Delete', on: { click: () => remove(m) } });
      failedCard.body.append(h('div', { class: 'alert error' },
        h('div', { class: 'row between' }, h('strong', { class: 'mono', text: m.name || m.file }), h('div', { class: 'row' }, missing.length ? badge('Missing dependencies', 'warn') : badge(m.status || 'error', 'bad'), fetchBtn, help, del)),
        m.error ? h('div', { class: 'small mono', text: m.error }) : null,
        missing.length ? h('div', { class: 'small', text: `Needs: ${missing.join(', ')}` }) : null));
    }
  }

  function depsHelp(missing) {
    modal('Resolving missing dependencies', {
      body: [
        h('p', { text: `These modules are imported but not in the library: ${missing.join(', ')}.` }),
        h('ol', {}, h('li', { text: 'Upload them together with the MIB that needs them (the batch resolves within itself), or' }),
          h('li', { text: 'enable the remote fetch in Settings (approved https sources only) and press Fetch, or' }),
          h('li', { text: 'get the vendor\'s MIB bundle and drop all its files at once.' })),
      ],
      actions: [{ label: 'Close', class: 'btn-primary' }],
    });
  }

  async function fetchDeps(deps) {
    try {
      const r = await api.post('/mibs/fetch-dependencies', { dependencies: deps, reload_after_fetch: true });
      toast(`Fetched ${(r.downloaded || []).length}, cached ${(r.cached || []).length}, failed ${(r.failed || []).length}.`, (r.failed || []).length ? 'warning' : 'success');
      load();
      return r;
    } catch (e) { toast(`Fetch failed: ${e.message}`, 'error'); return null; }
  }

  async function reload() {
    reloadBtn.disabled = true;
    try {
      const r = await api.post('/mibs/reload');
      toast(`Reloaded: ${fmtNumber(r.loaded)} loaded, ${fmtNumber(r.failed)} failed.`, r.failed ? 'warning' : 'success');
      load();
      loadTraps();
    } catch (e) { toast(`Reload failed: ${e.message}`, 'error'); } finally { reloadBtn.disabled = false; }
  }

  async function remove(m) {
    const file = m.file || m.name;
    if (!(await confirmDialog('Delete MIB?', `Delete ${file} from the library? Services that use its names will show numeric OIDs.`, { confirmLabel: 'Delete', danger: true }))) return;
    try {
      await api.del(`/mibs/${encodeURIComponent(file)}`);
      toast(`${file} deleted.`, 'success');
      load();
      loadTraps();
    } catch (e) { toast(`Delete failed: ${e.message}`, 'error'); }
  }

  // ---- upload with batch validation ----
  function openUpload(initial) {
    let files = [...initial];
    let validation = null;
    const input = h('input', { type: 'file', multiple: true, accept: ACCEPT, id: 'mib-file-input', attrs: { 'aria-label': 'MIB files' } });
    const zone = h('div', { class: 'dropzone', tabIndex: 0, attrs: { role: 'button', 'aria-label': 'Choose or drop MIB files' } },
      icon('upload', 28), h('p', { text: 'Drop MIB files here or press to choose (.mib, .txt, .my, .zip).' }));
    zone.addEventListener('click', () => input.click());
    zone.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); input.click(); } });
    for (const ev of ['dragenter', 'dragover']) zone.addEventListener(ev, (e) => { e.preventDefault(); zone.classList.add('over'); });
    for (const ev of ['dragleave', 'drop']) zone.addEventListener(ev, (e) => { e.preventDefault(); zone.classList.remove('over'); });
    zone.addEventListener('drop', (e) => { files = files.concat([...(e.dataTransfer?.files || [])]); validate(); });
    input.addEventListener('change', () => { files = files.concat([...input.files]); input.value = ''; validate(); });
    const results = h('div', { class: 'grid', id: 'mib-validation', attrs: { 'aria-live': 'polite' } });
    const overwrite = h('input', { type: 'checkbox', id: 'mib-overwrite' });
    const overwriteLabel = h('label', { class: 'switch', hidden: true }, overwrite, h('span', { text: 'Replace the modules and files that are already in the library' }));
    overwrite.addEventListener('change', () => { if (validation) uploadAction.disabled = !(validation.valid && (!validation.clashes || overwrite.checked)); });
    const m = modal('Upload MIBs', {
      wide: true,
      body: [zone, input, results, overwriteLabel],
      actions: [{ label: 'Cancel' }, { label: 'Upload & reload', class: 'btn-primary', onClick: (close) => upload(close) }],
    });
    input.hidden = true;
    const uploadAction = m.foot.lastElementChild;
    uploadAction.id = 'mib-upload-submit';
    uploadAction.disabled = true;

    function form() {
      const f = new FormData();
      for (const file of files) f.append('files', file, file.name);
      if (overwrite.checked) f.append('overwrite', 'true');
      return f;
    }

    async function validate() {
      uploadAction.disabled = true;
      clear(results);
      if (!files.length) return;
      results.append(h('p', { class: 'muted', text: `Validating ${files.length} file(s)…` }));
      try {
        validation = await api.upload('/mibs/validate-batch', form());
      } catch (e) {
        clear(results).append(h('div', { class: 'alert error', text: `Validation failed: ${e.message}` }));
        return;
      }
      renderValidation();
    }

    function renderValidation() {
      clear(results);
      for (const f of validation.files || []) {
        const errs = f.errors || [];
        const clash = (f.clashes || []).map((c) => c.message).join(' ');
        results.append(h('div', { class: `alert ${f.valid ? (f.missing_deps || []).length || clash ? 'warning' : 'success' : 'error'}` },
          h('div', { class: 'row between' }, h('strong', { class: 'mono', text: `${f.filename}${f.mib_name ? ` → ${f.mib_name}` : ''}` }), badge(f.valid ? 'Valid' : 'Invalid', f.valid ? 'ok' : 'bad')),
          errs.length ? h('ul', { class: 'small' }, errs.map((e) => h('li', { class: 'mono', text: typeof e === 'string' ? e : `${e.line ? `line ${e.line}: ` : ''}${e.message || JSON.stringify(e)}` }))) : null,
          (f.imports || []).length ? h('div', { class: 'small', text: `Imports: ${f.imports.join(', ')}` }) : null,
          (f.missing_deps || []).length ? h('div', { class: 'small', text: `Missing: ${f.missing_deps.join(', ')}` }) : null,
          clash ? h('div', { class: 'small', text: clash }) : null));
      }
      const missing = validation.global_missing_deps || [];
      if (missing.length) {
        results.append(h('div', { class: 'alert warning' },
          h('strong', { text: 'Missing dependencies detected' }), h('div', { class: 'small mono', text: missing.join(', ') }),
          h('div', { class: 'row' },
            h('button', { class: 'btn btn-sm', type: 'button', text: 'Fetch missing dependencies', on: { click: async () => { if (await fetchDeps(missing)) validate(); } } }),
            h('button', { class: 'btn btn-sm', type: 'button', text: 'How to resolve?', on: { click: () => depsHelp(missing) } }))));
      }
      overwriteLabel.hidden = !validation.clashes;
      uploadAction.disabled = !(validation.valid && (!validation.clashes || overwrite.checked));
      if (!validation.valid) results.append(h('p', { class: 'muted small', text: 'Fix the invalid files (or remove them from the batch) to upload. Nothing is saved until every file is valid.' }));
    }

    async function upload(close) {
      uploadAction.disabled = true;
      try {
        const r = await api.upload('/mibs/upload', form());
        const res = r.results || [];
        const loaded = res.filter((x) => x.status === 'loaded').length;
        const bad = res.filter((x) => x.status !== 'loaded');
        clear(results).append(h('div', { class: `alert ${bad.length ? 'warning' : 'success'}` },
          h('strong', { text: `${loaded} loaded, ${bad.length} with problems.` }),
          bad.length ? h('ul', { class: 'small' }, bad.map((x) => h('li', { text: `${x.filename}: ${x.status}${x.error ? ` – ${x.error}` : ''}` }))) : null));
        toast(`Upload done: ${loaded} loaded${bad.length ? `, ${bad.length} with problems` : ''}.`, bad.length ? 'warning' : 'success');
        load();
        loadTraps();
        if (!bad.length) close(true);
      } catch (e) {
        toast(`Upload failed: ${e.message}`, 'error');
        uploadAction.disabled = false;
      }
    }

    if (files.length) validate();
    return m.result;
  }

  // ---- trap library ----
  async function loadTraps() {
    try {
      const r = await api.get('/mibs/traps');
      traps = r.traps || [];
    } catch (e) {
      traps = [];
      clear(trapBody).append(h('div', { class: 'card-body' }, h('div', { class: 'alert', text: e.status === 404 ? 'The trap library is not available yet.' : e.message })));
      return;
    }
    renderTraps();
  }

  function renderTraps() {
    const q = trapSearch.value.trim().toLowerCase();
    const shown = traps.filter((t) => !q || `${t.name} ${t.module} ${t.oid} ${t.description || ''}`.toLowerCase().includes(q));
    setText(trapCount, `${fmtNumber(shown.length)} of ${fmtNumber(traps.length)}`);
    setText(cTraps, fmtNumber(traps.length));
    clear(trapBody);
    if (!shown.length) { trapBody.append(emptyState(traps.length ? 'No notification matches.' : 'No notifications in the library.')); return; }
    const rows = shown.slice(0, 300).map((t) => {
      const system = SYSTEM_MODULES.has(t.module) && t.is_system !== false;
      const tr = h('tr', {},
        h('td', {}, h('div', { class: 'mono', text: t.name }), h('div', { class: 'small muted' }, t.module, system ? h('span', {}, ' ', badge('System', '')) : null)),
        h('td', { class: 'mono small nowrap', text: t.oid }),
        h('td', { class: 'small', text: String((t.objects || []).length) }),
        h('td', { class: 'nowrap' },
          h('button', { class: 'icon-btn sm', type: 'button', attrs: { 'aria-label': `Details of ${t.name}`, title: 'Details' }, on: { click: () => trapDetails(t) } }, icon('eye')),
          h('button', { class: 'icon-btn sm', type: 'button', attrs: { 'aria-label': `Send ${t.name}`, title: 'Send' }, on: { click: () => go('traps', { trap: t.full_name || t.oid }) } }, icon('send'))));
      if (system) tr.classList.add('muted');
      return tr;
    });
    trapBody.append(h('table', { class: 'table' }, h('thead', {}, h('tr', {}, ...['Notification', 'OID', 'Objects', ''].map((x) => h('th', { text: x })))), h('tbody', {}, rows)));
    if (shown.length > 300) trapBody.append(h('p', { class: 'muted small', text: `Showing 300 of ${shown.length}; search to narrow.` }));
  }
  let trapTimer = 0;
  trapSearch.addEventListener('input', () => { clearTimeout(trapTimer); trapTimer = setTimeout(renderTraps, 150); });

  function trapDetails(t) {
    modal(t.full_name || t.name, {
      wide: true,
      body: [
        kvList([['Name', t.name], ['Full name', t.full_name, true], ['OID', t.oid, true], ['Module', t.module]]),
        h('h3', { text: 'Description' }), h('p', { class: 'small', text: t.description || 'No description.' }),
        h('h3', { text: `Associated objects (${(t.objects || []).length})` }),
        h('ul', { class: 'list' }, (t.objects || []).map((o) => h('li', {}, h('span', { class: 'mono small grow', text: o.full_name || o.name }), h('span', { class: 'mono small muted', text: o.oid })))),
      ],
      actions: [{ label: 'Use in trap sender', class: 'btn-primary', onClick: (close) => { close(); go('traps', { trap: t.full_name || t.oid }); } }, { label: 'Close' }],
    });
  }

  load();
  loadTraps();
  sc.on('mibs', () => { load(); loadTraps(); });
  return () => { sc.dispose(); clearTimeout(trapTimer); };
}
