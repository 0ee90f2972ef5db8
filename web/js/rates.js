// Traps/s and requests/s over the last minute, kept while logged in so that the dashboard
// chart has history when it is opened. Fed by pushed stats; the tick is local only.
import { on, emit, state } from './store.js';
import { RateMeter } from './charts.js';

export const WINDOW = 60;
const meter = new RateMeter(['traps', 'requests']);
export const series = { traps: new Array(WINDOW).fill(0), requests: new Array(WINDOW).fill(0) };
let timer = 0;
let liveTraps = 0;
let lastTrapCounter = null;

function feed(stats) {
  meter.set('requests', stats?.simulator?.snmp_requests_served);
  const t = stats?.traps?.traps_received_total;
  if (t !== undefined && t !== null) {
    lastTrapCounter = Number(t);
    liveTraps = 0;
  }
  if (lastTrapCounter !== null) meter.set('traps', lastTrapCounter + liveTraps);
}

export function startRates() {
  if (timer) return;
  on('stats', feed);
  // Between two stats pushes, each live trap counts at once so the line moves without delay.
  on('trap', () => { liveTraps += 1; if (lastTrapCounter !== null) meter.set('traps', lastTrapCounter + liveTraps); });
  feed(state.stats);
  timer = setInterval(() => {
    const s = meter.sample();
    for (const k of Object.keys(series)) {
      series[k].push(s[k]);
      if (series[k].length > WINDOW) series[k].shift();
    }
    emit('rates', s);
  }, 1000);
}
