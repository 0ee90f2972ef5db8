// The live connection: /api/ws with the session token, backoff reconnect resuming after the
// last trap sequence seen, keepalive pings, close code 4001 = logged out.
import { state, emit, mergeStats } from './store.js';

const PING_MS = 30_000;
const PONG_TIMEOUT_MS = 5_000;
const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

export class LiveConnection {
  constructor({ tokenFn, onUnauthorized, onNeverOpened }) {
    this.tokenFn = tokenFn;
    this.onUnauthorized = onUnauthorized;
    this.onNeverOpened = onNeverOpened;
    this.ws = null;
    this.backoff = BACKOFF_MIN_MS;
    this.timer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.stopped = true;
    this.opened = false;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.clearPing();
    if (this.ws) {
      try { this.ws.close(1000, 'logout'); } catch { /* already closing */ }
      this.ws = null;
    }
    this.setConn('offline');
  }

  setConn(s) {
    if (state.conn === s) return;
    state.conn = s;
    emit('conn', s);
  }

  url() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const params = new URLSearchParams({ token: this.tokenFn() || '' });
    if (state.lastSeq !== null && state.lastSeq !== undefined) params.set('after_seq', String(state.lastSeq));
    return `${proto}//${location.host}/api/ws?${params}`;
  }

  connect() {
    if (this.stopped) return;
    this.setConn('connecting');
    this.opened = false;
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.addEventListener('open', () => {
      if (ws !== this.ws) return;
      this.opened = true;
      this.backoff = BACKOFF_MIN_MS;
      this.setConn('online');
      this.startPing();
      emit('open');
    });
    ws.addEventListener('message', (ev) => { if (ws === this.ws) this.handle(ev.data); });
    ws.addEventListener('close', (ev) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.clearPing();
      if (ev.code === 4001) {
        this.stopped = true;
        this.setConn('unauthorized');
        this.onUnauthorized();
        return;
      }
      this.setConn('offline');
      emit('close', ev.code);
      // A rejected handshake reaches the browser as 1006 without 4001: ask REST whether
      // the session is still valid before backing off again.
      if (!this.opened && this.onNeverOpened) this.onNeverOpened();
      this.scheduleReconnect();
    });
  }

  scheduleReconnect() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const jitter = Math.random() * 0.2 * this.backoff;
    this.timer = setTimeout(() => this.connect(), this.backoff + jitter);
    this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
  }

  startPing() {
    this.clearPing();
    this.pingTimer = setInterval(() => {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
      this.ws.send('ping');
      clearTimeout(this.pongTimer);
      this.pongTimer = setTimeout(() => {
        if (this.ws) this.ws.close(4000, 'pong timeout');
      }, PONG_TIMEOUT_MS);
    }, PING_MS);
  }

  clearPing() {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }

  /** A trap store that started again from scratch (new data volume) restarts its sequence:
   * stop ignoring its traps as already seen. */
  checkStoreReset() {
    const last = state.traps && state.traps.last_seq;
    if (typeof last === 'number' && state.lastSeq !== null && last < state.lastSeq) state.lastSeq = last;
  }

  handle(data) {
    if (data === 'pong') {
      clearTimeout(this.pongTimer);
      return;
    }
    let msg;
    try { msg = JSON.parse(data); } catch { return; }
    if (!msg || typeof msg !== 'object') return;
    switch (msg.type) {
      case 'full_state':
        if (msg.simulator) state.simulator = { ...msg.simulator, _at: Date.now() };
        if (msg.traps) state.traps = { ...msg.traps, _at: Date.now() };
        if (msg.stats) state.stats = mergeStats({}, msg.stats);
        if (msg.mibs) state.mibs = msg.mibs;
        this.checkStoreReset();
        emit('full_state', msg);
        emit('status', msg);
        emit('stats', state.stats);
        if (msg.mibs) emit('mibs', msg.mibs);
        break;
      case 'status':
        if (msg.simulator) state.simulator = { ...(state.simulator || {}), ...msg.simulator, _at: Date.now() };
        if (msg.traps) state.traps = { ...(state.traps || {}), ...msg.traps, _at: Date.now() };
        this.checkStoreReset();
        emit('status', msg);
        break;
      case 'stats':
        mergeStats(state.stats, msg.data || msg.stats);
        emit('stats', state.stats);
        break;
      case 'mibs':
        state.mibs = msg.mibs || state.mibs;
        emit('mibs', state.mibs);
        break;
      case 'trap': {
        const t = msg.trap;
        if (!t) break;
        if (typeof t.seq === 'number') {
          // A replay after reconnect never goes backwards.
          if (state.lastSeq !== null && t.seq <= state.lastSeq) break;
          state.lastSeq = t.seq;
        }
        emit('trap', t);
        break;
      }
      default:
        // missed, activity, walk_progress and any later extension.
        emit(msg.type, msg);
    }
  }
}
