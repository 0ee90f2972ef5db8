// The REST client: adds the session token, turns error bodies into readable messages.

const TOKEN_KEY = 'snmplab_token';
const USER_KEY = 'snmplab_user';

let onUnauthorized = () => {};

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  get user() { return sessionStorage.getItem(USER_KEY) || ''; },
  set(token, user) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, user || '');
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  },
};

export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

/** FastAPI errors: detail is a string, or a list of {loc, msg} for validation errors. */
export function errorMessage(body, status) {
  const d = body && body.detail !== undefined ? body.detail : body;
  if (typeof d === 'string' && d) return d;
  if (Array.isArray(d)) {
    return d.map((e) => {
      const loc = Array.isArray(e.loc) ? e.loc.filter((x) => x !== 'body' && x !== 'query').join('.') : '';
      return loc ? `${loc}: ${e.msg}` : String(e.msg || JSON.stringify(e));
    }).join('; ');
  }
  if (d && typeof d === 'object' && d.message) return String(d.message);
  return `Request failed (HTTP ${status})`;
}

function qs(params) {
  if (!params) return '';
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

export async function request(method, path, { body, params, form, text, raw = false, auth = true, signal } = {}) {
  const headers = {};
  const token = session.token;
  if (auth && token) headers['X-Auth-Token'] = token;
  let payload;
  if (form) payload = form;
  else if (text !== undefined) {
    headers['Content-Type'] = 'text/plain; charset=utf-8';
    payload = text;
  }
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(`/api${path}${qs(params)}`, { method, headers, body: payload, signal, cache: 'no-store' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'The server cannot be reached. Check that snmplab is running.', null);
  }
  if (res.status === 401 && auth) {
    onUnauthorized();
    throw new ApiError(401, 'Your session has ended. Please log in again.', null);
  }
  if (!res.ok) {
    let b = null;
    try { b = await res.json(); } catch { try { b = { detail: await res.text() }; } catch { b = null; } }
    throw new ApiError(res.status, errorMessage(b, res.status), b);
  }
  if (raw) return res;
  if (res.status === 204) return null;
  const type = res.headers.get('content-type') || '';
  return type.includes('json') ? res.json() : res.text();
}

export const api = {
  get: (p, params, opts = {}) => request('GET', p, { params, ...opts }),
  post: (p, body, opts = {}) => request('POST', p, { body, ...opts }),
  put: (p, body, opts = {}) => request('PUT', p, { body, ...opts }),
  patch: (p, body, opts = {}) => request('PATCH', p, { body, ...opts }),
  del: (p, params, opts = {}) => request('DELETE', p, { params, ...opts }),
  upload: (p, form, params) => request('POST', p, { form, params }),
  postText: (p, text, params) => request('POST', p, { text, params }),
  /** Fetch a file with the token and hand it to the browser as a download. */
  async download(p, params, fallbackName) {
    const res = await request('GET', p, { params, raw: true });
    const cd = res.headers.get('content-disposition') || '';
    const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd);
    const name = m ? decodeURIComponent(m[1]) : fallbackName;
    const blob = await res.blob();
    return { blob, name };
  },
};
