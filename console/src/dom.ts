// A few DOM helpers: elements from tag + attributes + children, text only (never innerHTML), so
// nothing the server or the user typed is ever parsed as markup.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | null | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
    else if (k === 'class') el.className = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, ...children);
  return el;
}

export function append(el: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el: Node): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
}

let uid = 0;
/** A fresh id for label/for and aria-describedby pairs. */
export const newId = (prefix: string): string => `${prefix}-${++uid}`;

/** A labelled input: returns the wrapper and the input. */
export function field(
  label: string,
  input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  hint?: string,
): HTMLElement {
  if (!input.id) input.id = newId('f');
  const wrap = h('div', { class: 'field' }, h('label', { for: input.id }, label), input);
  if (hint) {
    const hid = newId('hint');
    input.setAttribute('aria-describedby', hid);
    wrap.appendChild(h('small', { id: hid, class: 'hint' }, hint));
  }
  return wrap;
}

/** A status message in words (colour only repeats what the words say). */
export function notice(kind: 'ok' | 'error' | 'info' | 'warn', title: string, ...details: Child[]): HTMLElement {
  const prefix = { ok: 'OK', error: 'Error', info: 'Note', warn: 'Warning' }[kind];
  return h(
    'div',
    { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('strong', {}, `${prefix}: `),
    title,
    ...details.map((d) => (d ? h('div', { class: 'notice-detail' }, d) : null)),
  );
}

export function formatTime(unixSeconds: number): string {
  if (!unixSeconds) return '';
  const d = new Date(unixSeconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * Gives every body cell its column's name (data-label), so that on narrow screens the table can
 * be shown as one block per row (CSS: table.stack) instead of being cut off.
 */
export function stackable<T extends HTMLElement>(wrapOrTable: T): T {
  const table = wrapOrTable instanceof HTMLTableElement ? wrapOrTable : wrapOrTable.querySelector('table');
  if (!table) return wrapOrTable;
  const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent ?? '');
  for (const tr of table.querySelectorAll('tbody tr')) {
    [...tr.children].forEach((c, i) => {
      if (heads[i] && tr.children.length === heads.length) c.setAttribute('data-label', heads[i]!);
    });
  }
  table.classList.add('stack');
  return wrapOrTable;
}
