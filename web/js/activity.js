// The simulator's live request feed (sampled by the simulator), kept while logged in so the
// Activity log shows recent requests whichever page was open when they happened.
import { on, emit } from './store.js';

const MAX = 500;
export const feed = [];
let started = false;

function describe(a) {
  return [a.pdu, a.device ? `device ${a.device}` : null, a.source ? `from ${a.source}` : null, a.version,
    a.oid, a.varbinds !== undefined ? `${a.varbinds} var-binds` : null].filter(Boolean).join(' · ');
}

export function startActivity() {
  if (started) return;
  started = true;
  on('activity', (m) => {
    const d = m.data || m;
    const samples = Array.isArray(d.samples) ? d.samples : Array.isArray(d) ? d : [d];
    for (const a of samples) {
      const message = describe(a);
      if (!message) continue;
      const t = typeof a.ts === 'number' ? a.ts * 1000 : Date.now();
      feed.push({ t, level: 'info', message, source: 'agent' });
    }
    if (feed.length > MAX) feed.splice(0, feed.length - MAX);
    emit('activity-feed', feed);
  });
}
