// Building DOM without HTML strings: every value from the network goes in as text.

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * h('div', {class: 'x', text: 'hello', on: {click: fn}, attrs: {'aria-label': 'y'}}, child, ...)
 * Plain props other than the reserved ones are set as properties (value, checked, type...).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, val] of Object.entries(props || {})) {
    if (val === undefined || val === null) continue;
    if (key === 'class') el.className = val;
    else if (key === 'text') el.textContent = String(val);
    else if (key === 'on') for (const [ev, fn] of Object.entries(val)) el.addEventListener(ev, fn);
    else if (key === 'attrs') for (const [a, v] of Object.entries(val)) { if (v !== undefined && v !== null && v !== false) el.setAttribute(a, v === true ? '' : String(v)); }
    else if (key === 'dataset') Object.assign(el.dataset, val);
    else if (key === 'hidden') el.hidden = Boolean(val);
    else el[key] = val;
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function setText(el, value) {
  const s = value === null || value === undefined ? '' : String(value);
  if (el.textContent !== s) el.textContent = s;
}

export function svg(paths, { size = 18, viewBox = '0 0 24 24', cls = '' } = {}) {
  const s = document.createElementNS(SVG_NS, 'svg');
  s.setAttribute('viewBox', viewBox);
  s.setAttribute('width', String(size));
  s.setAttribute('height', String(size));
  s.setAttribute('aria-hidden', 'true');
  s.setAttribute('focusable', 'false');
  if (cls) s.setAttribute('class', cls);
  s.setAttribute('fill', 'none');
  s.setAttribute('stroke', 'currentColor');
  s.setAttribute('stroke-width', '2');
  s.setAttribute('stroke-linecap', 'round');
  s.setAttribute('stroke-linejoin', 'round');
  for (const d of paths) {
    const p = document.createElementNS(SVG_NS, 'path');
    p.setAttribute('d', d);
    s.append(p);
  }
  return s;
}

/** A label + control pair with a unique id, returned as {wrap, input}. */
let uid = 0;
export function field(labelText, control, hint) {
  const id = control.id || `f${++uid}`;
  control.id = id;
  const wrap = h('div', { class: 'field' }, h('label', { attrs: { for: id }, text: labelText }), control);
  if (hint) {
    const hid = `${id}-hint`;
    wrap.append(h('span', { class: 'hint', id: hid, text: hint }));
    control.setAttribute('aria-describedby', hid);
  }
  return wrap;
}

export function nextId(prefix = 'id') {
  return `${prefix}${++uid}`;
}

export function switchControl(labelText, checked = false, props = {}) {
  const input = h('input', { type: 'checkbox', checked, attrs: { role: 'switch' }, ...props });
  const label = h('label', { class: 'switch' }, input, h('span', { text: labelText }));
  return { label, input };
}

export function select(options, value, props = {}) {
  const el = h('select', props);
  for (const o of options) {
    const [v, t] = Array.isArray(o) ? o : [o, o];
    el.append(h('option', { value: v, text: t }));
  }
  if (value !== undefined) el.value = value;
  return el;
}
