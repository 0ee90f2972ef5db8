// Shared live state fed by the WebSocket, with a tiny publish/subscribe bus.

const listeners = new Map();

export const state = {
  conn: 'offline',
  simulator: null,
  traps: null,
  stats: {},
  mibs: null,
  lastSeq: null,
  meta: null,
};

export function on(type, fn) {
  if (!listeners.has(type)) listeners.set(type, new Set());
  listeners.get(type).add(fn);
  return () => listeners.get(type)?.delete(fn);
}

export function emit(type, payload) {
  const set = listeners.get(type);
  if (!set) return;
  for (const fn of [...set]) {
    try { fn(payload); } catch (e) { console.error(`listener for ${type} failed`, e); }
  }
}

/** Merge stats sections the way the gateway does: per section, key by key. */
export function mergeStats(into, incoming) {
  for (const [section, values] of Object.entries(incoming || {})) {
    if (values && typeof values === 'object' && !Array.isArray(values)) {
      into[section] = { ...(into[section] || {}), ...values };
    } else {
      into[section] = values;
    }
  }
  return into;
}

/** Subscriptions made while a page is shown, dropped together when it goes. */
export function scope() {
  const offs = [];
  return {
    on(type, fn) { offs.push(on(type, fn)); },
    add(off) { offs.push(off); },
    dispose() { while (offs.length) { try { offs.pop()(); } catch { /* already gone */ } } },
  };
}
