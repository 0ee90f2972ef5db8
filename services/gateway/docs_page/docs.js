// A small reader for /api/openapi.json: no third-party code, every value shown as text.
const TOKEN_KEY = 'snmplab_token';
const statusEl = document.getElementById('status');
const form = document.getElementById('login');

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function resolveRef(doc, schema) {
  if (schema && schema.$ref) {
    const name = schema.$ref.split('/').pop();
    return { name, schema: doc.components?.schemas?.[name] ?? {} };
  }
  return { name: null, schema };
}

function schemaBlock(doc, schema) {
  const { name, schema: body } = resolveRef(doc, schema);
  const wrap = el('div');
  if (name) wrap.append(el('p', {}, `Schema: ${name}`));
  wrap.append(el('pre', {}, JSON.stringify(body, null, 2)));
  return wrap;
}

function operation(doc, path, method, op) {
  const box = el('details', { class: 'op' });
  box.append(el('summary', {}, el('span', { class: `method ${method}` }, method), ' ',
    el('span', { class: 'path' }, path), op.summary ? ` — ${op.summary}` : ''));
  if (op.description) box.append(el('p', {}, op.description));
  if (op.parameters?.length) {
    const table = el('table', {}, el('tr', {}, el('th', {}, 'parameter'), el('th', {}, 'in'), el('th', {}, 'required'), el('th', {}, 'schema')));
    for (const p of op.parameters) {
      table.append(el('tr', {}, el('td', {}, p.name), el('td', {}, p.in), el('td', {}, p.required ? 'yes' : 'no'),
        el('td', {}, JSON.stringify(p.schema ?? {}))));
    }
    box.append(table);
  }
  const body = op.requestBody?.content?.['application/json']?.schema;
  if (body) { box.append(el('h4', {}, 'Request body')); box.append(schemaBlock(doc, body)); }
  for (const [code, resp] of Object.entries(op.responses ?? {})) {
    box.append(el('h4', {}, `Response ${code}${resp.description ? ` — ${resp.description}` : ''}`));
    const schema = resp.content?.['application/json']?.schema;
    if (schema) box.append(schemaBlock(doc, schema));
  }
  return box;
}

function render(doc) {
  statusEl.textContent = `${doc.info?.title ?? 'API'} ${doc.info?.version ?? ''}`;
  const groups = new Map();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const tag = op.tags?.[0] ?? 'other';
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push([path, method, op]);
    }
  }
  const toc = document.getElementById('toc');
  const main = document.getElementById('ops');
  toc.replaceChildren(); main.replaceChildren();
  for (const [tag, ops] of [...groups.entries()].sort()) {
    const id = `tag-${tag.replace(/[^a-z0-9]+/gi, '-')}`;
    toc.append(el('a', { href: `#${id}` }, tag));
    const section = el('section', { id }, el('h2', {}, tag));
    for (const [path, method, op] of ops) section.append(operation(doc, path, method, op));
    main.append(section);
  }
}

async function load() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) { statusEl.textContent = 'Not signed in.'; form.hidden = false; return; }
  const resp = await fetch('/api/openapi.json', { headers: { 'X-Auth-Token': token } });
  if (resp.status === 401) { sessionStorage.removeItem(TOKEN_KEY); statusEl.textContent = 'Session ended.'; form.hidden = false; return; }
  if (!resp.ok) { statusEl.textContent = `Could not load the API description (HTTP ${resp.status}).`; return; }
  form.hidden = true;
  render(await resp.json());
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const resp = await fetch('/api/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: data.get('username'), password: data.get('password') }),
  });
  const body = await resp.json().catch(() => ({}));
  if (!resp.ok) { statusEl.textContent = body.detail ?? `Sign-in failed (HTTP ${resp.status}).`; return; }
  sessionStorage.setItem(TOKEN_KEY, body.token);
  load();
});

load();
