/**
 * The reference console: one page, pages per role behind the hash (`#/board`, `#/order/<id>`, `#/resident`,
 * `#/volunteer`). Staff see their board (the dispatcher the district's, a station its own), residents place and follow
 * their orders, volunteers see their hours, points and pickup codes. Plain DOM on `@kz/client`.
 */
import { GraphQLRequestError } from '@kz/client';
import { fill, h } from './dom';
import { ROLE, T } from './messages';
import { Live, startLive } from './live';
import { clientOf, dispatches, isStaff, loadSession, Session, signIn, signOut, volunteers } from './session';
import type { Context, View } from './view';
import { boardView } from './views/board';
import { orderView } from './views/order';
import { residentView } from './views/resident';
import { signInView } from './views/sign-in';
import { volunteerView } from './views/volunteer';

const root = document.getElementById('app')!;
const status = h('p', { id: 'status', role: 'status', 'aria-live': 'polite' });
const alert = h('p', { id: 'error', role: 'alert', hidden: true });
let current: View | null = null;
/** Live updates of the signed-in person (`live.ts`): they refresh the page on screen when what it shows changes. */
let live: Live | null = null;
/** What the last action did, for the next page to say. */
let flash = '';

function showError(error: unknown): void {
  alert.textContent = error instanceof GraphQLRequestError ? error.message : String(error);
  alert.dataset.code = error instanceof GraphQLRequestError ? error.code : '';
  alert.hidden = false;
}

function clearMessages(): void {
  alert.hidden = true;
  alert.textContent = '';
}

function homeOf(session: Session): string {
  if (isStaff(session)) return '#/board';
  return '#/resident';
}

function nav(session: Session): HTMLElement {
  const links: [string, string][] = [];
  if (isStaff(session)) links.push(['#/board', dispatches(session) ? T.dispatchBoard : T.stationBoard]);
  if (!isStaff(session)) links.push(['#/resident', T.myOrders]);
  if (volunteers(session)) links.push(['#/volunteer', T.volunteer]);
  return h(
    'nav',
    { 'aria-label': '主导航' },
    h('ul', {}, links.map(([href, label]) => h('li', {}, h('a', { href, 'aria-current': location.hash === href ? 'page' : undefined }, label)))),
  );
}

function contextOf(session: Session): Context {
  return {
    session,
    client: clientOf(session),
    go: (hash) => {
      location.hash = hash;
    },
    async act(action, done, next) {
      clearMessages();
      status.textContent = '';
      try {
        await action();
        if (next) {
          flash = done; // said by the page it opens
          location.hash = next;
          return;
        }
        await current?.refresh();
        status.textContent = done; // after the page shows the outcome
      } catch (error) {
        showError(error);
      }
    },
  };
}

function viewFor(context: Context, hash: string): View {
  const [, page, id] = hash.split('/');
  if (page === 'order' && id) return orderView(context, id);
  if (page === 'volunteer') return volunteerView(context);
  if (page === 'board' && isStaff(context.session)) return boardView(context);
  return residentView(context);
}

async function render(): Promise<void> {
  const session = loadSession();
  clearMessages();
  if (!session) {
    current = null;
    live?.dispose();
    live = null;
    fill(root, h('header', {}, h('h1', {}, T.appTitle)), h('main', {}, signInView(onSignIn), alert));
    document.body.dataset.page = 'sign-in';
    return;
  }
  if (!location.hash || location.hash === '#/') {
    location.replace(homeOf(session));
    return;
  }
  const context = contextOf(session);
  const view = viewFor(context, location.hash);
  current = view;
  const roles = session.person.roles.map((role) => ROLE[role]).join('、');
  const heading = h('h2', { tabindex: -1 }, view.title);
  const refresh = h('button', { type: 'button', class: 'secondary', onclick: () => void load(view) }, T.refresh);
  const out = h('button', { type: 'button', class: 'secondary', onclick: () => (signOut(), void render()) }, T.signOut);
  fill(
    root,
    h('header', {}, h('h1', {}, T.appTitle), h('p', { class: 'who' }, T.signedInAs(session.person.displayName, roles), ' ', out), nav(session)),
    h('main', {}, h('div', { class: 'title' }, heading, refresh), status, alert, view.element),
  );
  heading.focus(); // a new page: screen readers and the keyboard start at its title
  live ??= startLive(session, () => (signOut(), void render()));
  live.follow(view); // before the first read, so that no change after it is missed
  status.textContent = flash;
  flash = '';
  document.title = `${view.title} · ${T.appTitle}`;
  document.body.dataset.page = location.hash.split('/')[1] ?? '';
  await load(view);
}

async function load(view: View): Promise<void> {
  view.element.setAttribute('aria-busy', 'true');
  try {
    await view.refresh();
    if (current === view) clearMessages();
  } catch (error) {
    if (current === view) showError(error);
  } finally {
    view.element.setAttribute('aria-busy', 'false');
  }
}

async function onSignIn(phone: string, password: string): Promise<void> {
  clearMessages();
  try {
    const session = await signIn(phone, password);
    const home = homeOf(session);
    if (location.hash === home) await render();
    else location.hash = home; // renders on hashchange
  } catch (error) {
    showError(error);
  }
}

window.addEventListener('hashchange', () => void render());
void render();
