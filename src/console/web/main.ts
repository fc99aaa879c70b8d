// The console's entry: the key to sign with, the hash router, and the live stream that tells the
// current page to re-read what it shows (docs/console.md).
import { AwsApiError, currentSession, useSession } from './aws.js';
import { errorBox, field, h, notAvailable } from './dom.js';
import { ROUTES, type View } from './routes.js';

let current: View | undefined;
let generation = 0;

async function render(): Promise<void> {
  const main = document.getElementById('main')!;
  const path = location.hash.replace(/^#/, '') || '/';
  const mine = ++generation;
  current?.dispose?.();
  current = undefined;
  main.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  for (const r of ROUTES) {
    const m = r.path.exec(path);
    if (!m) continue;
    const params = m.slice(1).map((p) => decodeURIComponent(p));
    const root = h('div');
    try {
      const view = (await r.page(root, params)) ?? undefined;
      if (mine !== generation) {
        view?.dispose?.(); // the user moved on while this page loaded
        return;
      }
      current = view;
    } catch (e) {
      if (mine !== generation) return;
      // An operation Wayfinder does not implement answers 501: the page says so instead of breaking.
      root.replaceChildren(e instanceof AwsApiError && e.status === 501 ? notAvailable('This page') : errorBox(e));
    }
    main.replaceChildren(root);
    document.title = `${root.querySelector('h1')?.textContent ?? 'Wayfinder'} · Wayfinder console`;
    return;
  }
  main.replaceChildren(h('h1', {}, 'Page not found'), h('p', {}, `No console page at ${path}.`));
}

let refreshing = false;
let refreshAgain = false;
/**
 * One re-read at a time, and one more after it when changes came meanwhile: two overlapping reads
 * could otherwise finish out of order and leave the older answer on the page.
 */
async function refreshCurrent(view: View): Promise<void> {
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = true;
  try {
    do {
      refreshAgain = false;
      await view.refresh?.().catch(() => undefined);
    } while (refreshAgain && current === view);
  } finally {
    refreshing = false;
  }
}

/** Re-reads the current page's data when a table it shows changed (debounced: one read per burst). */
function followChanges(): void {
  const badge = document.getElementById('live')!;
  const events = new EventSource('/_wayfinder/console/events');
  let timer: number | undefined;
  const touched = new Set<string>();
  events.addEventListener('open', () => {
    badge.textContent = 'live';
    badge.classList.add('on');
  });
  events.addEventListener('error', () => {
    badge.textContent = 'offline';
    badge.classList.remove('on');
  });
  events.addEventListener('change', (e) => {
    const { tables } = JSON.parse((e as MessageEvent<string>).data) as { tables: string[] };
    for (const t of tables) touched.add(t);
    if (timer !== undefined) return;
    timer = window.setTimeout(() => {
      timer = undefined;
      const view = current;
      const hit = [...touched].some((t) => view?.tables?.some((p) => t.startsWith(p)));
      touched.clear();
      if (hit && view) void refreshCurrent(view);
    }, 150);
  });
}

function askForKey(region: string, accountId: string): Promise<void> {
  return new Promise((resolve) => {
    const id = h('input', { type: 'text', autocomplete: 'off', required: true });
    const secret = h('input', { type: 'password', autocomplete: 'off', required: true });
    const form = h(
      'form',
      { class: 'aws' },
      h('h1', {}, 'Sign in with an access key'),
      h('p', {}, 'This console is not on this machine’s loopback, so Wayfinder does not hand it a key. The key stays in this tab (sessionStorage).'),
      field('Access key ID', id),
      field('Secret access key', secret),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Sign in')),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const credentials = { accessKeyId: id.value.trim(), secretAccessKey: secret.value };
      sessionStorage.setItem('wayfinder-key', JSON.stringify(credentials));
      useSession({ region, accountId, credentials });
      resolve();
    });
    document.getElementById('main')!.replaceChildren(form);
  });
}

async function start(): Promise<void> {
  const res = await fetch('/_wayfinder/console/config.json', { cache: 'no-store' });
  const cfg = (await res.json()) as { region: string; accountId: string; credentials: { accessKeyId: string; secretAccessKey: string } | null };
  const region = new URLSearchParams(location.search).get('region') ?? cfg.region;
  const saved = sessionStorage.getItem('wayfinder-key');
  if (cfg.credentials) useSession({ region, accountId: cfg.accountId, credentials: cfg.credentials });
  else if (saved) useSession({ region, accountId: cfg.accountId, credentials: JSON.parse(saved) as { accessKeyId: string; secretAccessKey: string } });
  else await askForKey(region, cfg.accountId);
  document.getElementById('who')!.textContent = `${currentSession().credentials.accessKeyId} · ${region}`;
  window.addEventListener('hashchange', () => void render());
  followChanges();
  await render();
}

start().catch((e: unknown) => document.getElementById('main')!.replaceChildren(errorBox(e)));
