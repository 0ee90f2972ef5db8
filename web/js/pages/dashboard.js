// Dashboard: status cards, activity counters, live rates, recent traps, quick actions.
import { h, setText, clear } from '../dom.js';
import { icon } from '../icons.js';
import { state, scope } from '../store.js';
import { api } from '../api.js';
import { fmtNumber, fmtRate, fmtRelative, liveUptime } from '../ui.js';
import { LiveChart } from '../charts.js';
import { series } from '../rates.js';
import { sectionCard, severityBadge, trapName, varbindPreview, trapDetail } from '../components.js';

const COUNTERS = [
  ['simulator', 'snmp_requests_served', 'SNMP requests'],
  ['simulator', 'oids_loaded', 'OIDs loaded'],
  ['traps', 'traps_received_total', 'Traps received'],
  ['traps', 'traps_sent_total', 'Traps sent'],
  ['walker', 'walks_executed', 'Walks executed'],
  ['walker', 'oids_returned', 'OIDs returned'],
  ['mibs', 'upload_count', 'MIBs uploaded'],
  ['mibs', 'reload_count', 'Times reloaded'],
];

const QUICK = [
  ['simulator', 'Simulator', 'simulator'], ['walker', 'Walk & Parse', 'walker'], ['traps', 'Trap Manager', 'traps'],
  ['browser', 'MIB Browser', 'browser'], ['mibs', 'MIB Manager', 'mibs'], ['settings', 'Settings', 'settings'],
];

function statCard(id, label, iconName) {
  const value = h('div', { class: 'stat-value', id: `dash-${id}`, text: '–' });
  const sub = h('div', { class: 'muted small', id: `dash-${id}-sub` });
  const ic = h('div', { class: 'stat-icon' }, icon(iconName));
  const card = h('div', { class: 'card stat-card', attrs: { role: 'group', 'aria-label': label } },
    ic, h('div', { class: 'grow' }, h('div', { class: 'stat-label', text: label }), value, sub));
  return { card, value, sub, ic };
}

export function mount(root) {
  const sc = scope();
  const cards = {
    mibs: statCard('mibs', 'MIBs loaded', 'mibs'),
    trapsAvail: statCard('traps-available', 'Traps available', 'traps'),
    sim: statCard('simulator', 'Simulator', 'simulator'),
    rcv: statCard('receiver', 'Trap receiver', 'activity'),
  };
  const devBadges = h('div', { class: 'row', id: 'dash-devices', attrs: { 'aria-label': 'Simulated devices' } });
  cards.sim.sub.after(devBadges);
  root.append(h('div', { class: 'grid grid-4' }, Object.values(cards).map((c) => c.card)));

  const counterEls = {};
  const counters = h('div', { class: 'counters' }, COUNTERS.map(([sec, key, label]) => {
    const v = h('div', { class: 'v', id: `count-${key}`, text: '–' });
    counterEls[`${sec}.${key}`] = v;
    return h('div', { class: 'counter' }, v, h('div', { class: 'l', text: label }));
  }));
  root.append(sectionCard('Activity', { body: [counters], flush: true }));

  const trapCanvas = h('canvas', { id: 'dash-trap-chart' });
  const reqCanvas = h('canvas', { id: 'dash-req-chart' });
  const trapNow = h('b', { text: '0', id: 'dash-trap-rate' });
  const reqNow = h('b', { text: '0', id: 'dash-req-rate' });
  const trapChart = new LiveChart(trapCanvas, [{ key: 'traps', label: 'Traps', colorVar: '--chart-2' }], { label: 'Traps received per second, last minute' });
  const reqChart = new LiveChart(reqCanvas, [{ key: 'requests', label: 'Requests', colorVar: '--chart-1' }], { label: 'SNMP requests per second, last minute' });
  trapChart.setData([series.traps]);
  reqChart.setData([series.requests]);
  root.append(h('div', { class: 'grid grid-2' },
    sectionCard('Traps per second', { actions: [h('span', { class: 'chart-legend' }, h('span', {}, h('span', { class: 'swatch', attrs: { 'data-c': '2' } }), 'now ', trapNow, '/s'))], body: [h('div', { class: 'chart-wrap' }, trapCanvas)] }),
    sectionCard('SNMP requests per second', { actions: [h('span', { class: 'chart-legend' }, h('span', {}, 'now ', reqNow, '/s'))], body: [h('div', { class: 'chart-wrap' }, reqCanvas)] }),
  ));

  // Recent traps: seeded with one small page, then live.
  const recentList = h('ul', { class: 'list', attrs: { 'aria-label': 'Recent traps' } });
  let recent = [];
  const renderRecent = () => {
    clear(recentList);
    if (!recent.length) { recentList.append(h('li', { class: 'muted', text: 'No traps yet.' })); return; }
    for (const t of recent) {
      const li = h('li', { class: 'clickable', tabIndex: 0, attrs: { role: 'button', 'aria-label': `Trap ${t.trap_type || ''} from ${t.source || ''}` } },
        severityBadge(trapName(t)),
        h('span', { class: 'grow ellipsis small mono', text: varbindPreview(t) }),
        h('span', { class: 'muted small nowrap', text: `${t.source || ''} · ${fmtRelative(t.timestamp)}` }));
      li.addEventListener('click', () => trapDetail(t));
      li.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); trapDetail(t); } });
      recentList.append(li);
    }
  };
  let recentPending = false;
  const queueRecent = () => {
    if (recentPending) return;
    recentPending = true;
    requestAnimationFrame(() => { recentPending = false; renderRecent(); });
  };
  root.append(h('div', { class: 'grid grid-side' },
    sectionCard('Recent traps', { actions: [h('a', { class: 'btn btn-sm', href: '#traps', text: 'Open trap ledger' })], body: [recentList], flush: true }),
    sectionCard('Quick actions', { body: [h('nav', { class: 'quick', attrs: { 'aria-label': 'Quick actions' } }, QUICK.map(([id, label, ic]) => h('a', { href: `#${id}` }, icon(ic), h('span', { text: label }))))] }),
  ));

  const renderStatus = () => {
    const sim = state.simulator || {};
    const rcv = state.traps || {};
    setText(cards.sim.value, sim.reachable === false ? 'Unreachable' : sim.running ? 'Online' : 'Offline');
    cards.sim.ic.className = `stat-icon ${sim.reachable === false ? 'warn' : sim.running ? 'ok' : 'bad'}`;
    setText(cards.sim.sub, sim.reachable === false ? 'The simulator service does not answer' : sim.running ? `UDP ${sim.port ?? ''} · up ${liveUptime(sim)}` : 'Not serving SNMP');
    clear(devBadges);
    if (sim.devices !== undefined && sim.devices !== null) {
      const up = sim.running ? Number(sim.devices_running ?? 0) : 0;
      const down = Number(sim.devices) - up;
      devBadges.append(h('span', { class: `badge ${up ? 'ok' : ''}`, text: `${fmtNumber(up)} up` }), ' ', h('span', { class: `badge ${down ? 'bad' : ''}`, text: `${fmtNumber(down)} down` }));
    }
    setText(cards.rcv.value, rcv.reachable === false ? 'Unreachable' : rcv.running ? 'Running' : 'Stopped');
    cards.rcv.ic.className = `stat-icon ${rcv.reachable === false ? 'warn' : rcv.running ? 'ok' : 'bad'}`;
    setText(cards.rcv.sub, rcv.reachable === false ? 'The trap daemon does not answer' : rcv.running ? `UDP ${rcv.port ?? ''} · ${rcv.resolve_mibs ? 'resolving names' : 'raw OIDs'}` : 'Not listening');
  };
  const renderMibs = () => {
    const m = state.mibs || {};
    const st = state.stats.mibs || {};
    setText(cards.mibs.value, fmtNumber(m.loaded ?? st.loaded_mibs));
    const failed = m.failed ?? st.failed_mibs;
    setText(cards.mibs.sub, failed ? `${failed} failed · ${fmtNumber(m.total ?? st.total_mibs)} total` : `${fmtNumber(m.total ?? st.total_mibs)} total`);
    cards.mibs.ic.className = `stat-icon ${failed ? 'warn' : ''}`;
    setText(cards.trapsAvail.value, fmtNumber(m.traps_available));
    setText(cards.trapsAvail.sub, 'notifications in the library');
  };
  const renderStats = () => {
    for (const [sec, key] of COUNTERS) setText(counterEls[`${sec}.${key}`], fmtNumber(state.stats?.[sec]?.[key]));
    renderMibs();
  };
  renderStatus();
  renderStats();
  sc.on('status', renderStatus);
  sc.on('stats', renderStats);
  sc.on('mibs', renderMibs);
  sc.on('rates', (r) => {
    trapChart.setData([series.traps]);
    reqChart.setData([series.requests]);
    setText(trapNow, fmtRate(r.traps));
    setText(reqNow, fmtRate(r.requests));
    renderStatus();
  });
  sc.on('theme', () => { trapChart.draw(); reqChart.draw(); });
  sc.on('trap', (t) => {
    recent.unshift(t);
    if (recent.length > 8) recent.length = 8;
    queueRecent();
  });
  const loadRecent = () => api.get('/traps', { limit: 8 }).then((r) => {
    const fetched = (r && r.data) || [];
    const seen = new Set(recent.map((t) => t.seq));
    recent = [...recent, ...fetched.filter((t) => t.seq === undefined || !seen.has(t.seq))].slice(0, 8);
    renderRecent();
  }).catch(() => renderRecent());
  loadRecent();
  sc.on('open', loadRecent);

  return () => { sc.dispose(); trapChart.destroy(); reqChart.destroy(); };
}
