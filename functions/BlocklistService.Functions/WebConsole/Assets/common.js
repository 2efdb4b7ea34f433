// Shared by every console page: calls to the API with the session cookie (and the session's CSRF token on every
// change), and DOM building that only ever sets text, never HTML, so data from the API cannot inject markup.

const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content ?? '';
const main = document.getElementById('main');

/** The signed-in role and organisation, as the server rendered them. */
export const session = { role: main?.dataset.role ?? '', organisation: main?.dataset.organisation ?? '' };

/** An API answer that was not 2xx: its status and RFC 9457 problem (title, detail, errors). */
export class ApiError extends Error {
  constructor(status, problem) {
    const detail = typeof problem === 'object' && problem !== null ? (problem.detail ?? problem.title) : String(problem);
    super(`${status}: ${detail || 'request failed'}`);
    this.status = status;
    this.problem = problem;
  }
}

/** Calls the API as the session; a session that has ended sends the browser back to sign-in. */
export async function api(path, { method = 'GET', body, headers = {} } = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers } };
  if (method !== 'GET' && method !== 'HEAD') {
    init.headers['X-CSRF-Token'] = csrfToken;
  }
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const type = response.headers.get('Content-Type') ?? '';
  const data = type.includes('json') ? await response.json() : await response.text();
  if (response.status === 401) {
    window.location.assign('/console/sign-in');
  }
  if (!response.ok) {
    throw new ApiError(response.status, data);
  }
  return { data, response };
}

/** Builds an element: attributes (on* handlers as listeners) and children (strings become text nodes). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replaces the page's content area. */
export function mount(...nodes) {
  document.getElementById('app').replaceChildren(...nodes);
}

/** A table with a caption, header row and one row per item; a cell may be a string or a node. */
export function table(caption, columns, rows, attributes = {}) {
  return h('table', attributes,
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.length === 0
      ? h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, 'None.'))
      : rows.map((cells) => h('tr', {}, cells.map((c) => h('td', {}, c))))));
}

/** An error for the user: what failed and the API's explanation. */
export function problem(error) {
  const text = error instanceof ApiError ? error.message : `Error: ${error?.message ?? error}`;
  return h('p', { class: 'error', role: 'alert' }, text);
}

/** A UTC timestamp as "2026-12-04 16:42:02 UTC", or an em dash. */
export function time(value) {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : `${date.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

/** Runs a page's loader, showing its error instead of a blank page. */
export async function run(load) {
  try {
    await load();
  } catch (error) {
    mount(problem(error));
  }
}
