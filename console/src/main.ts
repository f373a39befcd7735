// The console's entry point: credentials, views and hash navigation (#debugger, #live, …).
import type { Catalogue } from '../../src/http/catalogue.js';
import { byId, notice } from './dom.js';
import { Credentials } from './credentials.js';
import { ApiDebugger } from './debugger.js';
import { AccountsView, AuditView, ConversationsView } from './admin.js';

const VIEWS = ['debugger', 'live', 'accounts', 'conversations', 'audit'] as const;
type View = (typeof VIEWS)[number];

async function loadCatalogue(): Promise<Catalogue> {
  const res = await fetch('catalogue.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`the API catalogue could not be loaded (HTTP ${res.status})`);
  return (await res.json()) as Catalogue;
}

async function boot(): Promise<void> {
  const creds = new Credentials();
  const conversations = new ConversationsView(creds);
  const audit = new AuditView(creds);
  new AccountsView(creds);
  let live: Promise<unknown> | undefined;

  const show = (view: View, focus: boolean) => {
    for (const v of VIEWS) byId(`view-${v}`).hidden = v !== view;
    for (const a of document.querySelectorAll<HTMLAnchorElement>('#nav a')) {
      if (a.dataset.view === view) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    document.title = `${byId(`view-${view}`).querySelector('h2')?.textContent ?? ''} — Parley console`;
    if (view === 'live' && !live) {
      // The client SDK is loaded when the view is first opened.
      live = import('./live.js')
        .then(({ LiveView }) => new LiveView(creds, () => void conversations.refresh().then(() => undefined)))
        .catch((e: unknown) => {
          byId('live-sdk-status').replaceChildren(
            notice('error', `The client SDK could not be loaded: ${(e as Error).message}`),
          );
        });
    }
    if (view === 'audit') void audit.load();
    if (focus) byId(`view-${view}`).querySelector('h2')?.setAttribute('tabindex', '-1');
    if (focus) (byId(`view-${view}`).querySelector('h2') as HTMLElement | null)?.focus();
  };
  const route = (focus: boolean) => {
    const v = location.hash.replace(/^#/, '') as View;
    show(VIEWS.includes(v) ? v : 'debugger', focus);
  };
  window.addEventListener('hashchange', () => route(true));
  route(false);

  try {
    new ApiDebugger(await loadCatalogue(), creds);
  } catch (e) {
    byId('dbg-detail').replaceChildren(
      notice('error', `${(e as Error).message}. Is the server running? Reload the page to try again.`),
    );
  }
}

boot().catch((e: unknown) => {
  byId('boot-error').replaceChildren(notice('error', `The console failed to start: ${(e as Error).message}`));
});
