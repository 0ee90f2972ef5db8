// Widgets shared by several pages: SNMP credentials, trap detail, key/value lists.
import { h, field, select, clear } from './dom.js';
import { icon } from './icons.js';
import { api } from './api.js';
import { modal, copyText, downloadText, badge, trapSeverity, fmtTime } from './ui.js';

export const AUTH_PROTOCOLS = ['MD5', 'SHA', 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512'];
export const PRIV_PROTOCOLS = ['DES', 'AES', 'AES-192', 'AES-256'];
export const SNMP_TYPES = [
  ['Integer32', 'Integer32'], ['Unsigned32', 'Unsigned32'], ['Counter32', 'Counter32'], ['Counter64', 'Counter64'],
  ['Gauge32', 'Gauge32'], ['TimeTicks', 'TimeTicks'], ['IpAddress', 'IpAddress'], ['ObjectIdentifier', 'OBJECT IDENTIFIER'],
  ['OctetString', 'OCTET STRING (text)'], ['OctetString:hex', 'OCTET STRING (hex)'], ['Opaque', 'Opaque (hex)'],
];

/** A var-bind for the walker's typed API: the hex choice becomes encoding=hex. */
export function typedVarbind(oid, type, value) {
  if (type === 'OctetString:hex') return { oid, type: 'OctetString', value, encoding: 'hex' };
  if (type === 'Opaque') return { oid, type, value, encoding: 'hex' };
  return { oid, type, value };
}

/**
 * SNMP version with a community or USM credentials, in the walker's flat shape:
 * {version, community} or {version:'v3', user, auth_protocol, auth_key, priv_protocol, priv_key,
 * context_name, context_engine_id}; protocols are 'none' when the security level leaves them out.
 */
export function snmpCredentials({ version = 'v2c', community = 'public', withEngineId = false, idPrefix = 'cred' } = {}) {
  const ver = select([['v1', 'SNMPv1'], ['v2c', 'SNMPv2c'], ['v3', 'SNMPv3']], version, { id: `${idPrefix}-version` });
  const comm = h('input', { value: community, id: `${idPrefix}-community`, autocomplete: 'off', spellcheck: false });
  const user = h('input', { id: `${idPrefix}-user`, autocomplete: 'off', spellcheck: false });
  const level = select([['noAuthNoPriv', 'noAuthNoPriv'], ['authNoPriv', 'authNoPriv'], ['authPriv', 'authPriv']], 'authPriv', { id: `${idPrefix}-level` });
  const authP = select(AUTH_PROTOCOLS, 'SHA-256', { id: `${idPrefix}-authp` });
  const authK = h('input', { type: 'password', id: `${idPrefix}-authk`, autocomplete: 'new-password' });
  const privP = select(PRIV_PROTOCOLS, 'AES', { id: `${idPrefix}-privp` });
  const privK = h('input', { type: 'password', id: `${idPrefix}-privk`, autocomplete: 'new-password' });
  const ctx = h('input', { id: `${idPrefix}-context`, autocomplete: 'off', spellcheck: false });
  const engine = h('input', { id: `${idPrefix}-engine`, autocomplete: 'off', spellcheck: false, placeholder: 'default' });
  const commField = field('Community', comm);
  const v3 = h('div', { class: 'form-grid span-all' },
    field('USM user', user), field('Security level', level),
    field('Auth protocol', authP), field('Auth passphrase', authK),
    field('Privacy protocol', privP), field('Privacy passphrase', privK),
    field('Context name', ctx), withEngineId ? field('Engine ID (hex)', engine) : null);
  const el = h('div', { class: 'form-grid span-all' }, field('SNMP version', ver), commField, v3);
  const sync = () => {
    const is3 = ver.value === 'v3';
    commField.hidden = is3;
    v3.hidden = !is3;
    const lvl = level.value;
    authP.disabled = authK.disabled = lvl === 'noAuthNoPriv';
    privP.disabled = privK.disabled = lvl !== 'authPriv';
  };
  ver.addEventListener('change', sync);
  level.addEventListener('change', sync);
  sync();
  return {
    el,
    version: ver,
    community: comm,
    user,
    get() {
      if (ver.value !== 'v3') return { version: ver.value, community: comm.value };
      const lvl = level.value;
      const out = {
        version: 'v3', user: user.value.trim(), auth_protocol: 'none', priv_protocol: 'none',
        context_name: ctx.value.trim(),
      };
      if (lvl !== 'noAuthNoPriv') Object.assign(out, { auth_protocol: authP.value, auth_key: authK.value });
      if (lvl === 'authPriv') Object.assign(out, { priv_protocol: privP.value, priv_key: privK.value });
      if (withEngineId && engine.value.trim()) out.engine_id = engine.value.trim();
      return out;
    },
    set(o = {}) {
      if (o.version) ver.value = o.version;
      if (o.community !== undefined) comm.value = o.community;
      if (o.user !== undefined) user.value = o.user || '';
      if (o.auth_protocol && o.auth_protocol !== 'none') authP.value = o.auth_protocol;
      if (o.priv_protocol && o.priv_protocol !== 'none') privP.value = o.priv_protocol;
      if (o.auth_protocol !== undefined) {
        level.value = o.auth_protocol === 'none' ? 'noAuthNoPriv' : o.priv_protocol && o.priv_protocol !== 'none' ? 'authPriv' : 'authNoPriv';
      }
      if (o.context_name !== undefined) ctx.value = o.context_name || '';
      sync();
    },
    /** What to remember between visits: never the passphrases. */
    memo() {
      const g = { ...this.get() };
      delete g.auth_key;
      delete g.priv_key;
      return g;
    },
  };
}

/** The notification's full name: snmpTrapOID's value when the server named it. */
export function trapName(trap) {
  for (const vb of trap.varbinds || []) {
    if (vb.oid === '1.3.6.1.6.3.1.1.4.1.0' && typeof vb.value === 'string' && vb.value.includes('::')) return vb.value;
  }
  return trap.trap_type || trap.trap_oid || 'unknown';
}

export function severityBadge(name) {
  const sev = trapSeverity(name);
  return badge(name || 'unknown', `sev-${sev}`);
}

export function varbindValue(vb) {
  if (vb.value === undefined || vb.value === null) return '';
  return typeof vb.value === 'object' ? JSON.stringify(vb.value) : String(vb.value);
}

/** "name = value" pairs without the snmpTrapOID/sysUpTime preamble, for one-line previews. */
export function varbindPreview(trap) {
  const parts = [];
  for (const vb of trap.varbinds || []) {
    const n = vb.name || vb.oid || '';
    if (/sysUpTime|snmpTrapOID|^1\.3\.6\.1\.2\.1\.1\.3\.0$|^1\.3\.6\.1\.6\.3\.1\.1\.4\.1\.0$/.test(n)) continue;
    parts.push(`${n.replace(/^[A-Za-z0-9-]+::/, '')}=${varbindValue(vb)}`);
    if (parts.length >= 6) break;
  }
  return parts.join('  ');
}

export function kvList(pairs) {
  const dl = h('dl', { class: 'kv' });
  for (const [k, v, copy] of pairs) {
    if (v === undefined || v === null || v === '') continue;
    const dd = h('dd', {}, h('span', { class: copy ? 'mono' : '', text: String(v) }));
    if (copy) dd.append(h('button', { class: 'icon-btn sm', type: 'button', attrs: { 'aria-label': `Copy ${k}` }, on: { click: () => copyText(String(v)) } }, icon('copy')));
    dl.append(h('dt', { text: k }), dd);
  }
  return dl;
}

export function trapDetail(trap, { onFilter } = {}) {
  const json = JSON.stringify(trap, null, 2);
  const vbTable = h('table', { class: 'table' },
    h('thead', {}, h('tr', {}, h('th', { text: 'Name' }), h('th', { text: 'OID' }), h('th', { text: 'Type' }), h('th', { text: 'Value' }))),
    h('tbody', {}, (trap.varbinds || []).map((vb) => h('tr', {},
      h('td', { class: 'mono', text: vb.name || '' }),
      h('td', { class: 'mono', text: vb.oid || '' }),
      h('td', { text: vb.type || '' }),
      h('td', { class: 'mono', text: varbindValue(vb) + (vb.raw !== undefined && String(vb.raw) !== varbindValue(vb) ? `  (raw ${typeof vb.raw === 'object' ? JSON.stringify(vb.raw) : vb.raw})` : '') })))));
  const v1 = trap.v1 || {};
  const body = [
    h('div', { class: 'row' }, severityBadge(trapName(trap)), trap.resolved ? badge('resolved', 'ok') : badge('unresolved', 'warn'), trap.version ? badge(String(trap.version), 'primary') : null),
    kvList([
      ['Sequence', trap.seq], ['Received', trap.time_str || fmtTime(trap.timestamp)], ['Source', trap.source, true],
      ['Trap type', trap.trap_type, true], ['Trap OID', trap.trap_oid, true], ['Version', trap.version],
      ['Community', trap.community], ['Listener', trap.listener], ['PDU', trap.pdu || trap.pdu_type], ['USM user', trap.user || trap.security_name],
      ['Enterprise', trap.enterprise || v1.enterprise, true], ['Agent address', trap.agent_addr || v1.agent_addr],
      ['Generic trap', v1.generic ?? v1.generic_trap], ['Specific trap', v1.specific ?? v1.specific_trap], ['v1 time stamp', v1.time_stamp],
    ]),
    h('h3', { text: `Var-binds (${(trap.varbinds || []).length})` }),
    h('div', { class: 'table-wrap' }, vbTable),
  ];
  modal(`Trap ${trap.seq !== undefined ? `#${trap.seq}` : ''} – ${trap.trap_type || ''}`, {
    wide: true,
    body,
    actions: [
      ...(onFilter ? [
        { label: 'Same source', onClick: (close) => { close(); onFilter('source', String(trap.source || '').replace(/:\d+$/, '')); } },
        { label: 'Same type', onClick: (close) => { close(); onFilter('trap', trap.trap_oid || trap.trap_type); } },
      ] : []),
      ...(trap.seq !== undefined ? [{ label: 'Replay…', onClick: () => replayTrap(trap) }] : []),
      { label: 'Copy JSON', onClick: () => copyText(json) },
      { label: 'Download', onClick: () => downloadText(json, `trap_${trap.seq ?? trap.timestamp}.json`, 'application/json') },
      { label: 'Close', class: 'btn-primary' },
    ],
  });
}

/** Send a stored trap again to any target, through the trap daemon's replay route. */
async function replayTrap(trap) {
  const target = h('input', { value: '127.0.0.1', autocomplete: 'off' });
  const port = h('input', { type: 'number', min: 1, max: 65535, value: 162 });
  const cred = snmpCredentials({ version: trap.version === 'v1' ? 'v1' : 'v2c', idPrefix: 'replay' });
  const kind = select([['trap', 'Trap'], ['inform', 'Inform']], 'trap');
  const out = h('div', { attrs: { 'aria-live': 'polite' } });
  const m = modal(`Replay trap #${trap.seq}`, {
    body: [h('div', { class: 'form-grid' }, h('div', { class: 'span-2' }, field('Target host', target)), field('Port', port), cred.el, field('Send as', kind)), out],
    actions: [{ label: 'Close' }, { label: 'Replay', class: 'btn-primary', onClick: async () => {
      try {
        const r = await api.post(`/traps/${encodeURIComponent(trap.seq)}/replay`, { target: target.value.trim(), port: Number(port.value) || 162, ...cred.get(), notification: kind.value });
        const w = r.walker || {};
        clear(out).append(h('div', { class: 'alert success', text: `Replayed to ${target.value}:${port.value}${w.sent !== undefined ? ` · sent ${w.sent}` : ''}${w.acknowledged ? ` · acknowledged ${w.acknowledged}` : ''}` }));
      } catch (e) { clear(out).append(h('div', { class: 'alert error', text: e.message })); }
    } }],
  });
  await m.result;
}

export function sectionCard(title, { actions = [], body = [], flush = false, id } = {}) {
  const head = h('div', { class: 'card-head' }, h('h2', { text: title, id: id ? `${id}-title` : undefined }), actions);
  const b = h('div', { class: `card-body${flush ? ' flush' : ''}` }, body);
  const card = h('section', { class: 'card', id, attrs: id ? { 'aria-labelledby': `${id}-title` } : {} }, head, b);
  card.head = head;
  card.body = b;
  return card;
}

export function iconButton(name, label, onClick, cls = 'btn') {
  return h('button', { class: cls, type: 'button', attrs: { 'aria-label': label }, on: { click: onClick } }, icon(name, 15), cls.includes('icon-btn') ? null : h('span', { text: label }));
}

/** An ARIA tab list; onSelect(id) runs on click and arrow keys. */
export function tabs(names, onSelect) {
  const list = h('div', { class: 'tabs', attrs: { role: 'tablist' } });
  const buttons = names.map(([id, label]) => {
    const b = h('button', { type: 'button', id: `tab-${id}`, text: label, attrs: { role: 'tab', 'aria-selected': 'false', 'aria-controls': `panel-${id}` } });
    b.addEventListener('click', () => select_(id));
    list.append(b);
    return b;
  });
  list.addEventListener('keydown', (e) => {
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      const n = buttons[(i + (e.key === 'ArrowRight' ? 1 : -1) + buttons.length) % buttons.length];
      n.focus();
      n.click();
    }
  });
  function select_(id) {
    for (const b of buttons) {
      const on = b.id === `tab-${id}`;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
    }
    onSelect(id);
  }
  return { el: list, select: select_ };
}

export { clear };
