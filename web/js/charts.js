// A small live line chart on <canvas>: a rolling window of per-second samples.

export class LiveChart {
  /** series: [{key, label, colorVar}] ; window: number of samples kept. */
  constructor(canvas, series, { window = 60, label = '' } = {}) {
    this.canvas = canvas;
    this.series = series;
    this.window = window;
    this.data = series.map(() => new Array(window).fill(0));
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', label);
    this.label = label;
    this.ro = new ResizeObserver(() => this.draw());
    this.ro.observe(canvas);
    this.raf = 0;
  }

  push(values) {
    this.series.forEach((s, i) => {
      const arr = this.data[i];
      arr.push(Math.max(0, Number(values[s.key]) || 0));
      if (arr.length > this.window) arr.shift();
    });
    const last = this.series.map((s, i) => `${s.label} ${this.data[i][this.data[i].length - 1]} per second`).join(', ');
    this.canvas.setAttribute('aria-label', `${this.label}: ${last}`);
    this.schedule();
  }

  /** Show arrays kept elsewhere (same order as the series). */
  setData(arrays) {
    this.data = arrays;
    // How many seconds of the window saw activity: lets tests wait for a drawn line.
    this.canvas.dataset.active = String(arrays[0].filter((v) => v > 0).length);
    const last = this.series.map((s, i) => `${s.label} ${Math.round(arrays[i][arrays[i].length - 1] || 0)} per second`).join(', ');
    this.canvas.setAttribute('aria-label', `${this.label}: ${last}`);
    this.schedule();
  }

  schedule() {
    if (this.raf) return;
    this.raf = requestAnimationFrame(() => { this.raf = 0; this.draw(); });
  }

  destroy() {
    this.ro.disconnect();
    cancelAnimationFrame(this.raf);
  }

  draw() {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth;
    const hgt = c.clientHeight;
    if (!w || !hgt) return;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(hgt * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(hgt * dpr);
    }
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, hgt);
    const css = getComputedStyle(document.documentElement);
    const grid = css.getPropertyValue('--border').trim();
    const muted = css.getPropertyValue('--muted').trim();
    const padL = 44, padR = 8, padT = 8, padB = 20;
    const pw = w - padL - padR, ph = hgt - padT - padB;
    let max = 0;
    for (const arr of this.data) for (const v of arr) max = Math.max(max, v);
    max = niceMax(max);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = muted;
    ctx.strokeStyle = grid;
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let i = 0; i <= 4; i++) {
      const y = padT + ph - (ph * i) / 4;
      ctx.beginPath();
      ctx.moveTo(padL, Math.round(y) + 0.5);
      ctx.lineTo(w - padR, Math.round(y) + 0.5);
      ctx.stroke();
      ctx.fillText(shortNum((max * i) / 4), padL - 6, y);
    }
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(`-${this.window}s`, padL, padT + ph + 5);
    ctx.textAlign = 'right';
    ctx.fillText('now', w - padR, padT + ph + 5);
    const step = pw / (this.window - 1);
    this.series.forEach((s, si) => {
      const color = css.getPropertyValue(s.colorVar).trim() || '#2563eb';
      const arr = this.data[si];
      ctx.beginPath();
      arr.forEach((v, i) => {
        const x = padL + i * step;
        const y = padT + ph - (max ? (v / max) * ph : 0);
        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      });
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.stroke();
      ctx.lineTo(padL + (arr.length - 1) * step, padT + ph);
      ctx.lineTo(padL, padT + ph);
      ctx.closePath();
      ctx.globalAlpha = 0.12;
      ctx.fillStyle = color;
      ctx.fill();
      ctx.globalAlpha = 1;
    });
  }
}

function niceMax(v) {
  if (v <= 0) return 4;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function shortNum(v) {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (v >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return String(+v.toFixed(1));
}

/**
 * Per-second rates from monotonically growing counters. Counters arrive whenever the server
 * pushes stats (coalesced, about once a second); a one-second client-side tick turns them into
 * samples averaged over a few seconds so that the push cadence does not make the line jitter.
 */
export class RateMeter {
  constructor(keys, spanSeconds = 3) {
    this.keys = keys;
    this.values = {};
    this.history = [];
    this.span = spanSeconds;
  }

  set(key, value) {
    if (value !== undefined && value !== null) this.values[key] = Number(value);
  }

  sample() {
    const now = performance.now();
    this.history.push({ t: now, v: { ...this.values } });
    while (this.history.length > this.span + 1) this.history.shift();
    const first = this.history[0];
    const dt = (now - first.t) / 1000;
    const out = {};
    for (const k of this.keys) {
      const a = first.v[k], b = this.values[k];
      out[k] = a === undefined || b === undefined || b < a || dt <= 0 ? 0 : (b - a) / dt;
    }
    return out;
  }
}
