// A virtualised list: only the rows in view exist in the DOM, updated once per frame.
import { h } from './dom.js';

export class VirtualList {
  /**
   * renderRow(item, el) fills a row element (reused between items);
   * onOpen(item) runs on click / Enter.
   */
  constructor({ rowHeight = 36, className = '', renderRow, onOpen, label = 'List', onEnd, maxHeight = 560 }) {
    this.maxHeight = maxHeight;
    this.rowHeight = rowHeight;
    this.renderRow = renderRow;
    this.onOpen = onOpen;
    this.onEnd = onEnd;
    this.items = [];
    this.pool = [];
    this.className = className;
    this.el = h('div', { class: 'vlist', tabIndex: 0, attrs: { role: 'list', 'aria-label': label } });
    this.spacer = h('div', { class: 'vlist-spacer' });
    this.el.append(this.spacer);
    this.raf = 0;
    this.freshSince = Infinity;
    this.el.addEventListener('scroll', () => this.schedule(), { passive: true });
    this.el.addEventListener('click', (e) => {
      const row = e.target.closest('.vrow');
      if (row && !e.target.closest('button,a') && this.onOpen) this.onOpen(this.items[Number(row.dataset.index)]);
    });
    this.el.addEventListener('keydown', (e) => this.key(e));
    this.ro = new ResizeObserver(() => this.schedule());
    this.ro.observe(this.el);
  }

  setItems(items) {
    this.items = items;
    this.schedule();
  }

  schedule() {
    if (this.raf) return;
    this.raf = requestAnimationFrame(() => { this.raf = 0; this.render(); });
  }

  destroy() {
    cancelAnimationFrame(this.raf);
    this.ro.disconnect();
  }

  render() {
    const n = this.items.length;
    const rh = this.rowHeight;
    this.spacer.style.height = `${n * rh}px`;
    const want = `${Math.min(this.maxHeight, Math.max(n, 3) * rh + 2)}px`;
    if (this.el.style.height !== want) this.el.style.height = want;
    const top = this.el.scrollTop;
    const viewH = this.el.clientHeight || 500;
    const first = Math.max(0, Math.floor(top / rh) - 4);
    const last = Math.min(n, Math.ceil((top + viewH) / rh) + 4);
    const need = last - first;
    while (this.pool.length < need) {
      const row = h('div', { class: `vrow ${this.className}`, tabIndex: -1, attrs: { role: 'listitem' } });
      this.spacer.append(row);
      this.pool.push(row);
    }
    for (let i = 0; i < this.pool.length; i++) {
      const row = this.pool[i];
      const idx = first + i;
      if (i >= need) { row.hidden = true; continue; }
      row.hidden = false;
      row.style.transform = `translateY(${idx * rh}px)`;
      const item = this.items[idx];
      if (row._item !== item) {
        row._item = item;
        row.dataset.index = String(idx);
        this.renderRow(item, row, idx);
      } else if (row.dataset.index !== String(idx)) {
        row.dataset.index = String(idx);
      }
    }
    if (this.onEnd && n && last >= n - 1 && top + viewH >= n * rh - rh * 2) this.onEnd();
  }

  key(e) {
    const rows = this.pool.filter((r) => !r.hidden);
    const active = document.activeElement;
    const idx = active && active.classList.contains('vrow') ? Number(active.dataset.index) : -1;
    const focusIndex = (i) => {
      i = Math.max(0, Math.min(this.items.length - 1, i));
      const rh = this.rowHeight;
      if (i * rh < this.el.scrollTop) this.el.scrollTop = i * rh;
      else if ((i + 1) * rh > this.el.scrollTop + this.el.clientHeight) this.el.scrollTop = (i + 1) * rh - this.el.clientHeight;
      this.render();
      const r = this.pool.find((p) => !p.hidden && Number(p.dataset.index) === i);
      if (r) r.focus();
    };
    if (e.key === 'ArrowDown') { e.preventDefault(); focusIndex(idx + 1); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); focusIndex(idx - 1); }
    else if (e.key === 'Home') { e.preventDefault(); focusIndex(0); }
    else if (e.key === 'End') { e.preventDefault(); focusIndex(this.items.length - 1); }
    else if (e.key === 'Enter' && idx >= 0 && this.onOpen) { e.preventDefault(); this.onOpen(this.items[idx]); }
    void rows;
  }
}
