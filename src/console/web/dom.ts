// Small DOM helpers: elements built with textContent only (API data never becomes markup), tables,
// status badges, labelled fields and the AWS-console-style error box.
import { AwsApiError } from './aws.js';

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | boolean | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

export function status(value: string | undefined): HTMLElement {
  const v = value ?? '-';
  return h('span', { class: `status status-${v.replace(/[^A-Z_]/g, '')}` }, v);
}

export function table(headers: string[], rows: Child[][], label: string, empty = 'No resources'): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted' }, empty);
  return h(
    'table',
    { 'aria-label': label },
    h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
  );
}

export function link(href: string, text: string): HTMLAnchorElement {
  return h('a', { href }, text);
}

let ids = 0;
/** A labelled form field: the label's text is what users and tests look for. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  control.id ||= `f${++ids}`;
  const inline = control instanceof HTMLInputElement && (control.type === 'checkbox' || control.type === 'radio');
  const l = h('label', { for: control.id }, label);
  return h('div', { class: inline ? 'field inline' : 'field' }, ...(inline ? [control, l] : [l, control]), hint ? h('span', { class: 'muted' }, hint) : null);
}

export function select(options: { value: string; label: string }[], attrs: Attrs = {}): HTMLSelectElement {
  return h('select', attrs, ...options.map((o) => h('option', { value: o.value }, o.label)));
}

/** An API error as the AWS console shows it: the code, then the message. */
export function errorBox(e: unknown): HTMLElement {
  const code = e instanceof AwsApiError ? e.code : 'Error';
  const message = e instanceof Error ? e.message : String(e);
  return h('div', { class: 'error', role: 'alert' }, h('strong', {}, code), ': ', message);
}

export function notAvailable(what: string): HTMLElement {
  return h(
    'div',
    { class: 'notice' },
    h('h1', {}, what),
    h('p', {}, `${what} is not available yet in the Wayfinder console. The CLI and SDKs work: every API Wayfinder serves is listed at /_wayfinder/health.`),
  );
}

export function when(ms: number | string | undefined): string {
  if (ms === undefined) return '-';
  const d = typeof ms === 'number' ? new Date(ms < 1e12 ? ms * 1000 : ms) : new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toLocaleString();
}
