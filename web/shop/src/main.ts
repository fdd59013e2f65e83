// The storefront (/shop/): a single page whose views are chosen by the URL's hash, so nginx
// serves it as plain static files. The REST api is on the same origin (api/openapi.yaml).
import './style.css';
import { h } from './dom';
import { ClearSession, LoadSession } from './session';
import { Go, SetFlash } from './ui';
import { AccountView, Cleanup, NotFoundView, OrdersView, ProductView, RegisterView, Route, ShopView, SignInView } from './views';

const main = document.getElementById('main')!;
const nav = document.getElementById('nav')!;
let cleanup: Cleanup = () => undefined;
let generation = 0;

function ParseRoute(): Route {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = hash.split('?', 2);
  return { path, params: new URLSearchParams(query) };
}

function RenderNav(path: string): void {
  const link = (href: string, text: string, active: boolean) =>
    h('li', {}, h('a', { href, text, 'aria-current': active ? 'page' : undefined }));
  const session = LoadSession();
  const items = [link('#/', 'Shop', path === '/' || path.startsWith('/product/'))];
  if (session) {
    items.push(link('#/orders', 'My orders', path === '/orders'), link('#/account', 'My account', path === '/account'));
    const signOut = h('button', { type: 'button', class: 'link-button', text: `Sign out (${session.user.username})` });
    signOut.addEventListener('click', () => {
      ClearSession();
      SetFlash({ text: 'You are signed out.', kind: 'success' });
      Go('#/');
    });
    items.push(h('li', {}, signOut));
  } else {
    items.push(link('#/signin', 'Sign in', path === '/signin'), link('#/register', 'Register', path === '/register'));
  }
  nav.replaceChildren(...items);
}

async function Render(moveFocus: boolean): Promise<void> {
  cleanup();
  cleanup = () => undefined;
  const current = ++generation;
  const route = ParseRoute();
  RenderNav(route.path);
  const product = /^\/product\/([1-9][0-9]{0,9})$/.exec(route.path);
  let view: Cleanup | Promise<Cleanup>;
  if (route.path === '/') view = ShopView(main, route);
  else if (product) view = ProductView(main, route, Number(product[1]));
  else if (route.path === '/register') view = RegisterView(main);
  else if (route.path === '/signin') view = SignInView(main, route);
  else if (route.path === '/orders') view = OrdersView(main, route);
  else if (route.path === '/account') view = AccountView(main);
  else view = NotFoundView(main);
  // After a navigation, focus goes to the new page's heading, so keyboard and screen-reader
  // users start at the top of what changed.
  if (moveFocus) main.querySelector<HTMLElement>('h1')?.focus();
  const stop = await view;
  if (current === generation) cleanup = stop;
  else stop();
  main.setAttribute('data-ready', String(current));
}

window.addEventListener('hashchange', () => void Render(true));
void Render(false);
