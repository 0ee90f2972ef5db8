// Navigation between pages, with a one-shot hand-off of context (e.g. "walk this OID").

const KEY = 'snmplab_handoff';

export function go(page, data) {
  if (data !== undefined) sessionStorage.setItem(`${KEY}_${page}`, JSON.stringify(data));
  const target = `#${page}`;
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = target;
}

export function takeHandoff(page) {
  const k = `${KEY}_${page}`;
  const raw = sessionStorage.getItem(k);
  if (raw === null) return null;
  sessionStorage.removeItem(k);
  try { return JSON.parse(raw); } catch { return null; }
}

/** Per-page view state kept for the tab's lifetime (filters, selection...). */
export function loadState(page, fallback) {
  try { return { ...fallback, ...JSON.parse(sessionStorage.getItem(`snmplab_state_${page}`) || '{}') }; } catch { return { ...fallback }; }
}

export function saveState(page, value) {
  sessionStorage.setItem(`snmplab_state_${page}`, JSON.stringify(value));
}

/** A page with unsaved work registers a guard; it returns a message while leaving would lose it. */
let leaveGuard = null;
export function setLeaveGuard(fn) {
  leaveGuard = fn;
  return () => { if (leaveGuard === fn) leaveGuard = null; };
}
export function leaveWarning() {
  return leaveGuard ? leaveGuard() : null;
}
