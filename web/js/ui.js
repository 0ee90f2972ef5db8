// Toasts, modal dialogs, downloads, clipboard and value formatting.
import { h, clear } from './dom.js';
import { icon } from './icons.js';

const TOAST_MS = { success: 3500, info: 3500, warning: 6000, error: 8000 };

export function toast(message, type = 'info', duration) {
  const host = document.getElementById('toasts');
  if (!host) return;
  const kind = TOAST_MS[type] ? type : 'info';
  const close = h('button', { class: 'icon-btn sm', type: 'button', attrs: { 'aria-label': 'Dismiss' } }, icon('x'));
  const el = h('div', { class: `toast ${kind}`, attrs: { role: kind === 'error' ? 'alert' : 'status' } },
    h('p', { text: message }), close);
  const remove = () => el.remove();
  close.addEventListener('click', remove);
  host.append(el);
  while (host.children.length > 5) host.firstElementChild.remove();
  setTimeout(remove, duration ?? TOAST_MS[kind]);
}

/**
 * A modal dialog built on <dialog> (focus trap, Escape, backdrop from the platform).
 * Returns {dialog, body, foot, close(result), result: Promise}.
 */
export function modal(title, { wide = false, body = [], actions = [] } = {}) {
  const dialog = h('dialog', { class: `modal${wide ? ' wide' : ''}`, attrs: { 'aria-labelledby': '' } });
  const titleEl = h('h2', { text: title, id: `m-${Math.random().toString(36).slice(2)}` });
  dialog.setAttribute('aria-labelledby', titleEl.id);
  const closeBtn = h('button', { class: 'icon-btn', type: 'button', attrs: { 'aria-label': 'Close' } }, icon('x'));
  const bodyEl = h('div', { class: 'modal-body' }, body);
  const foot = h('div', { class: 'modal-foot' });
  dialog.append(h('div', { class: 'modal-head' }, titleEl, closeBtn), bodyEl, foot);
  let resolveFn;
  const result = new Promise((r) => { resolveFn = r; });
  let value;
  const close = (v) => { value = v; if (dialog.open) dialog.close(); };
  dialog.addEventListener('close', () => { resolveFn(value); dialog.remove(); });
  closeBtn.addEventListener('click', () => close(undefined));
  dialog.addEventListener('click', (e) => { if (e.target === dialog) close(undefined); });
  for (const a of actions) {
    const b = h('button', { class: `btn ${a.class || ''}`, type: 'button', text: a.label });
    b.addEventListener('click', () => (a.onClick ? a.onClick(close) : close(a.value)));
    foot.append(b);
  }
  if (!actions.length) foot.remove();
  document.body.append(dialog);
  dialog.showModal();
  return { dialog, body: bodyEl, foot, close, result };
}

/** A confirmation in a proper modal; resolves true or false. */
export async function confirmDialog(title, message, { confirmLabel = 'Confirm', danger = false } = {}) {
  const m = modal(title, {
    body: [h('p', { text: message })],
    actions: [
      { label: 'Cancel', value: false },
      { label: confirmLabel, value: true, class: danger ? 'btn-danger-solid' : 'btn-primary' },
    ],
  });
  m.foot.lastElementChild.focus();
  return (await m.result) === true;
}

export function downloadBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadText(text, filename, type = 'text/plain') {
  downloadBlob(new Blob([text], { type }), filename);
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    toast('Copied to clipboard', 'success', 1500);
  } catch {
    // Clipboard needs a secure context; fall back to a selectable textarea.
    const ta = h('textarea', { value: text, attrs: { 'aria-label': 'Text to copy' } });
    const m = modal('Copy', { body: [h('p', { class: 'muted', text: 'Press Ctrl+C to copy.' }), ta], actions: [{ label: 'Close' }] });
    ta.select();
    await m.result;
  }
}

export function csvCell(v) {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function toCsv(rows, columns) {
  const cols = columns || [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const lines = [cols.map(csvCell).join(',')];
  for (const r of rows) lines.push(cols.map((c) => csvCell(r[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function fmtNumber(n) {
  if (n === null || n === undefined || n === '') return '–';
  const x = Number(n);
  return Number.isFinite(x) ? x.toLocaleString('en-US') : String(n);
}

export function fmtRate(n) {
  if (!Number.isFinite(n)) return '0';
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2).replace(/\.?0+$/, '') || '0';
}

export function fmtUptime(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  let s = Math.max(0, Math.floor(Number(seconds)));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const hr = Math.floor(s / 3600); s -= hr * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  if (d) return `${d}d ${hr}h ${m}m`;
  if (hr) return `${hr}h ${m}m ${s}s`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}

/** Accepts seconds, milliseconds or ISO text. */
export function toDate(t) {
  if (t === null || t === undefined || t === '') return null;
  if (typeof t === 'number') return new Date(t < 1e12 ? t * 1000 : t);
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Uptime of a service as of now, from a status stamped with its arrival time (_at). */
export function liveUptime(s) {
  if (!s || !s.running || s.uptime_seconds === null || s.uptime_seconds === undefined) return s && s.running ? s.uptime || '–' : '–';
  return fmtUptime(Number(s.uptime_seconds) + (s._at ? (Date.now() - s._at) / 1000 : 0));
}

export function fmtRelative(t) {
  const d = toDate(t);
  if (!d) return '–';
  const s = Math.round((Date.now() - d.getTime()) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return d.toLocaleString();
}

export function fmtTime(t) {
  const d = toDate(t);
  if (!d) return '–';
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function stamp() {
  return new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
}

export function badge(text, kind = '') {
  return h('span', { class: `badge ${kind}`, text });
}

/** The severity of a notification, from its name: a colour for the eye, not a judgement. */
export function trapSeverity(name) {
  const n = String(name || '').toLowerCase();
  if (/(down|fail|error|critical|fault|alarm|lost|overheat|crash)/.test(n)) return 'critical';
  if (/(auth|warn|threshold|high|exceed|risingalarm|degrad)/.test(n)) return 'warning';
  if (/(up|start|clear|restor|ok|recover|normal)/.test(n)) return 'clear';
  return 'info';
}

export function emptyState(text) {
  return h('div', { class: 'empty', text });
}

export { clear };
