// The storefront's views. Each renders into the <main> element it is given and returns a
// function that stops what it started (the live stock refresh).
import { ApiProblem, Call, LoginAnswer, NewIdempotencyKey, Order, Product, User } from './api';
import { Clear, ClearFieldErrors, DateText, Field, h, MakeField, Money, SetFieldError } from './dom';
import { ClearSession, LoadSession, SaveSession, Session, UpdateSessionUser } from './session';
import { Go, SetFlash, ShowFlash, ShowProblem, ShowSuccess, TakeFlash } from './ui';

export type Cleanup = () => void;
export interface Route {
  path: string;
  params: URLSearchParams;
}

const kProductsPageSize = 12;
const kOrdersPageSize = 10;
// How often a page that shows stock asks for it again (while the tab is visible).
const kStockRefreshMs = 4000;

function Page(main: HTMLElement, title: string): { notices: HTMLDivElement; body: HTMLDivElement } {
  document.title = `${title} · SUSTech Merch Store`;
  const notices = h('div', { class: 'notices' });
  const body = h('div', { class: 'page-body' });
  Clear(main);
  main.append(h('h1', { tabindex: -1, text: title }), notices, body);
  const flash = TakeFlash();
  if (flash) ShowFlash(notices, flash);
  return { notices, body };
}

function StockText(stock: number): string {
  return stock > 0 ? `In stock: ${stock}` : 'Out of stock';
}

function StockLine(product: Product): HTMLParagraphElement {
  return h('p', {
    class: product.stock > 0 ? 'stock' : 'stock out',
    'data-stock-for': product.id,
    'data-stock': product.stock,
    text: StockText(product.stock),
  });
}

function UpdateStock(root: ParentNode, product: Product): void {
  for (const line of root.querySelectorAll<HTMLElement>(`[data-stock-for="${product.id}"]`)) {
    if (line.dataset.stock === String(product.stock)) continue;
    line.dataset.stock = String(product.stock);
    line.textContent = StockText(product.stock);
    line.className = product.stock > 0 ? 'stock' : 'stock out';
  }
}

// Calls `refresh` every kStockRefreshMs while the tab is visible; failures are ignored here
// (the next refresh tries again; the shopper sees problems when they act).
function LiveRefresh(refresh: () => Promise<void>): Cleanup {
  const timer = window.setInterval(() => {
    if (!document.hidden) refresh().catch(() => undefined);
  }, kStockRefreshMs);
  return () => window.clearInterval(timer);
}

// Every category, from a bounded walk over the product list (there is no category endpoint).
async function Categories(): Promise<string[]> {
  const categories = new Set<string>();
  for (let offset = 0; offset < 2000; offset += 100) {
    const page = await Call<Product[]>('GET', `/products?limit=100&offset=${offset}`);
    for (const product of page) categories.add(product.category);
    if (page.length < 100) break;
  }
  return [...categories].sort();
}

function ShopRoute(category: string, page: number): string {
  const params = new URLSearchParams();
  if (category) params.set('category', category);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `#/?${query}` : '#/';
}

export async function ShopView(main: HTMLElement, route: Route): Promise<Cleanup> {
  const { notices, body } = Page(main, 'Shop');
  const category = route.params.get('category') ?? '';
  const page = Math.max(1, Number.parseInt(route.params.get('page') ?? '1', 10) || 1);
  const query = (limit: number) => {
    const params = new URLSearchParams({ limit: String(limit), offset: String((page - 1) * kProductsPageSize) });
    if (category) params.set('category', category);
    return `/products?${params}`;
  };
  let products: Product[];
  let categories: string[];
  try {
    // One more than a page tells whether there is a next page.
    [products, categories] = await Promise.all([Call<Product[]>('GET', query(kProductsPageSize + 1)), Categories()]);
  } catch (error) {
    ShowProblem(notices, error, 'load', { retry: () => Go(location.hash || '#/') });
    return () => undefined;
  }
  const hasNext = products.length > kProductsPageSize;
  products = products.slice(0, kProductsPageSize);

  const select = h(
    'select',
    { id: 'category', name: 'category' },
    h('option', { value: '', text: 'All categories' }),
    ...categories.map((name) => h('option', { value: name, text: name, selected: name === category })),
  );
  const filter = h(
    'form',
    { class: 'filter', role: 'search', 'aria-label': 'Filter products', onsubmit: (event: Event) => event.preventDefault() },
    h('label', { for: 'category', text: 'Category' }),
    select,
  );
  select.addEventListener('change', () => Go(ShopRoute(select.value, 1)));

  const grid = h('ul', { class: 'product-grid', 'aria-label': 'Products' });
  for (const product of products) {
    grid.append(
      h(
        'li',
        { class: 'card' },
        h('p', { class: 'category', text: product.category }),
        h('h2', {}, h('a', { href: `#/product/${product.id}`, text: product.name })),
        h('p', { class: 'slogan', text: product.slogan }),
        h('p', { class: 'price' }, h('span', { class: 'visually-hidden', text: 'Price: ' }), Money(product.price)),
        StockLine(product),
      ),
    );
  }
  const empty = products.length === 0 ? h('p', { text: 'No products here yet.' }) : null;
  const pager = Pager(page, hasNext, (n) => ShopRoute(category, n), 'Product pages');
  body.append(filter, empty ?? grid, pager ?? '');

  return LiveRefresh(async () => {
    const fresh = await Call<Product[]>('GET', query(kProductsPageSize));
    for (const product of fresh) UpdateStock(grid, product);
  });
}

function Pager(page: number, hasNext: boolean, route: (page: number) => string, label: string): HTMLElement | null {
  if (page === 1 && !hasNext) return null;
  return h(
    'nav',
    { class: 'pager', 'aria-label': label },
    page > 1 ? h('a', { class: 'button secondary', href: route(page - 1), rel: 'prev', text: 'Previous page' }) : null,
    h('span', { 'aria-current': 'page', text: `Page ${page}` }),
    hasNext ? h('a', { class: 'button secondary', href: route(page + 1), rel: 'next', text: 'Next page' }) : null,
  );
}

export async function ProductView(main: HTMLElement, route: Route, id: number): Promise<Cleanup> {
  const { notices, body } = Page(main, 'Product');
  let product: Product;
  try {
    product = await Call<Product>('GET', `/products/${id}`);
  } catch (error) {
    ShowProblem(notices, error, 'load', { retry: () => Go(location.hash) });
    return () => undefined;
  }
  if (!body.isConnected) return () => undefined;
  main.querySelector('h1')!.textContent = product.name;
  document.title = `${product.name} · SUSTech Merch Store`;
  const details = h(
    'div',
    { class: 'product-detail' },
    h('p', { class: 'category', text: product.category }),
    h('p', { class: 'slogan', text: product.slogan }),
    h('p', { class: 'description', text: product.description }),
    h('p', { class: 'price' }, h('span', { class: 'visually-hidden', text: 'Price: ' }), Money(product.price)),
    StockLine(product),
  );
  body.append(details);

  const refresh = async () => {
    product = await Call<Product>('GET', `/products/${id}`);
    UpdateStock(main, product);
  };

  const session = LoadSession();
  if (!session) {
    const next = encodeURIComponent(route.path ? `#${route.path}` : '#/');
    body.append(
      h('p', { class: 'sign-in-hint' }, h('a', { href: `#/signin?next=${next}`, text: 'Sign in' }), ' or ',
        h('a', { href: '#/register', text: 'create an account' }), ' to order.'),
    );
  } else {
    body.append(OrderForm(product, session, notices, refresh));
  }
  body.append(h('p', {}, h('a', { href: '#/', text: 'Back to the shop' })));
  return LiveRefresh(refresh);
}

// The order form. One Idempotency-Key per attempt: a retry of the same attempt (after the
// service was unavailable) reuses it, so an order the api did place is never placed twice; a
// new quantity or a finished attempt starts a new key. While a request is in flight the
// button is disabled, so a double click sends one request.
function OrderForm(product: Product, session: Session, notices: HTMLElement, refresh: () => Promise<void>): HTMLFormElement {
  const quantity = h(
    'select',
    { id: 'quantity', name: 'quantity' },
    ...[1, 2, 3].map((n) => h('option', { value: n, text: String(n) })),
  );
  const button = h('button', { type: 'submit', class: 'button', text: 'Place order' });
  let attempt: { key: string; quantity: number } | null = null;
  let busy = false;

  const submit = async () => {
    if (busy) return;
    const count = Number(quantity.value);
    if (!attempt || attempt.quantity !== count) attempt = { key: NewIdempotencyKey(), quantity: count };
    busy = true;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      const order = await Call<Order>('POST', '/orders', {
        token: session.token,
        idempotencyKey: attempt.key,
        body: { product_id: product.id, quantity: count },
      });
      attempt = null;
      ShowSuccess(
        notices,
        `Order #${order.id} placed: ${order.quantity} × ${product.name}, total ${Money(order.total_price)}. `,
        h('a', { href: '#/orders', text: 'See my orders' }),
      );
      await refresh().catch(() => undefined);
    } catch (error) {
      // Only an unavailable service or a lost connection may have left the attempt unfinished.
      if (!(error instanceof ApiProblem) || (error.status !== 0 && error.status < 500)) attempt = null;
      ShowProblem(notices, error, 'order', { retry: () => void submit() });
      await refresh().catch(() => undefined);
    } finally {
      busy = false;
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  };

  return h(
    'form',
    { class: 'order-form', 'aria-label': 'Order', onsubmit: (event: Event) => { event.preventDefault(); void submit(); } },
    h('div', { class: 'field inline' }, h('label', { for: 'quantity', text: 'Quantity' }), quantity),
    button,
  );
}

export function RegisterView(main: HTMLElement): Cleanup {
  const { notices, body } = Page(main, 'Create an account');
  const fields: Record<string, Field> = {
    sid: MakeField('sid', 'Student ID', { autocomplete: 'off', required: true }, '1 to 15 letters or digits.'),
    username: MakeField('username', 'Username', { autocomplete: 'username', required: true },
      '3 to 50 letters, digits, dots, dashes or underscores.'),
    email: MakeField('email', 'Email', { type: 'email', autocomplete: 'email', required: true }),
    password: MakeField('password', 'Password', { type: 'password', autocomplete: 'new-password', required: true },
      '8 to 128 characters.'),
  };
  const button = h('button', { type: 'submit', class: 'button', text: 'Create account' });
  const form = h('form', { novalidate: true, 'aria-label': 'Create an account' },
    ...Object.values(fields).map((field) => field.wrapper), button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    ClearFieldErrors(form);
    button.disabled = true;
    try {
      const user = await Call<User>('POST', '/users/register', {
        body: {
          sid: fields.sid.input.value,
          username: fields.username.input.value,
          email: fields.email.input.value,
          password: fields.password.input.value,
        },
      });
      SetFlash({ text: `Welcome, ${user.username}! Your account is ready: sign in to start shopping.`, kind: 'success' });
      Go(`#/signin?username=${encodeURIComponent(user.username)}`);
    } catch (error) {
      ShowProblem(notices, error, 'register', { fields, retry: () => form.requestSubmit() });
    } finally {
      button.disabled = false;
    }
  });
  body.append(form, h('p', {}, 'Already have an account? ', h('a', { href: '#/signin', text: 'Sign in' })));
  return () => undefined;
}

export function SignInView(main: HTMLElement, route: Route): Cleanup {
  const { notices, body } = Page(main, 'Sign in');
  const byUsername = h('input', { type: 'radio', name: 'by', id: 'by-username', value: 'username', checked: true });
  const bySid = h('input', { type: 'radio', name: 'by', id: 'by-sid', value: 'sid' });
  const fields: Record<string, Field> = {
    name: MakeField('name', 'Your username', { autocomplete: 'username', required: true, value: route.params.get('username') ?? '' }),
    password: MakeField('password', 'Password', { type: 'password', autocomplete: 'current-password', required: true }),
  };
  const label = fields.name.wrapper.querySelector('label')!;
  const relabel = () => { label.textContent = bySid.checked ? 'Your student ID' : 'Your username'; };
  byUsername.addEventListener('change', relabel);
  bySid.addEventListener('change', relabel);
  const button = h('button', { type: 'submit', class: 'button', text: 'Sign in' });
  const form = h(
    'form',
    { novalidate: true, 'aria-label': 'Sign in' },
    h('fieldset', { class: 'choice' }, h('legend', { text: 'Sign in with' }),
      h('span', {}, byUsername, h('label', { for: 'by-username', text: 'Username' })),
      h('span', {}, bySid, h('label', { for: 'by-sid', text: 'Student ID' }))),
    fields.name.wrapper,
    fields.password.wrapper,
    button,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    ClearFieldErrors(form);
    const name = fields.name.input.value.trim();
    if (!name) {
      SetFieldError(fields.name, bySid.checked ? 'Enter your student ID.' : 'Enter your username.');
      return;
    }
    button.disabled = true;
    try {
      const answer = await Call<LoginAnswer>('POST', '/users/login', {
        body: { [bySid.checked ? 'sid' : 'username']: name, password: fields.password.input.value },
      });
      SaveSession(answer);
      SetFlash({ text: `Signed in as ${answer.user.username}.`, kind: 'success' });
      const next = route.params.get('next');
      Go(next && next.startsWith('#/') && !next.startsWith('#/signin') ? next : '#/');
    } catch (error) {
      // A malformed name is a 400 about `username` or `sid`: mark the one field that holds it.
      const named = { ...fields, username: fields.name, sid: fields.name };
      ShowProblem(notices, error, 'login', { fields: named, retry: () => form.requestSubmit() });
    } finally {
      button.disabled = false;
    }
  });
  body.append(form, h('p', {}, 'New here? ', h('a', { href: '#/register', text: 'Create an account' })));
  return () => undefined;
}

function RequireSession(): Session | null {
  const session = LoadSession();
  if (!session) {
    SetFlash({ text: 'Please sign in first.', kind: 'error' });
    Go(`#/signin?next=${encodeURIComponent(location.hash)}`);
  }
  return session;
}

export async function OrdersView(main: HTMLElement, route: Route): Promise<Cleanup> {
  const session = RequireSession();
  if (!session) return () => undefined;
  const { notices, body } = Page(main, 'My orders');
  const page = Math.max(1, Number.parseInt(route.params.get('page') ?? '1', 10) || 1);
  let orders: Order[];
  const products = new Map<number, Product | null>();
  try {
    orders = await Call<Order[]>('GET', `/orders?limit=${kOrdersPageSize + 1}&offset=${(page - 1) * kOrdersPageSize}`,
      { token: session.token });
    const ids = [...new Set(orders.map((order) => order.product_id))];
    await Promise.all(ids.map(async (id) => {
      products.set(id, await Call<Product>('GET', `/products/${id}`).catch(() => null));
    }));
  } catch (error) {
    ShowProblem(notices, error, 'load', { retry: () => Go(location.hash) });
    return () => undefined;
  }
  const hasNext = orders.length > kOrdersPageSize;
  orders = orders.slice(0, kOrdersPageSize);
  if (orders.length === 0) {
    body.append(h('p', {}, 'No orders yet. ', h('a', { href: '#/', text: 'Browse the shop' }), '.'));
  }
  const list = h('ul', { class: 'orders', 'aria-label': 'Orders' });
  for (const order of orders) {
    const name = products.get(order.product_id)?.name ?? `Product ${order.product_id}`;
    const status = h('span', { class: `status ${order.status}`, text: order.status === 'placed' ? 'Placed' : 'Cancelled' });
    const item = h(
      'li',
      { class: 'order', 'data-order-id': order.id },
      h('h2', { text: `Order #${order.id}` }),
      h('dl', {},
        h('dt', { text: 'Item' }), h('dd', {}, h('a', { href: `#/product/${order.product_id}`, text: name })),
        h('dt', { text: 'Quantity' }), h('dd', { text: String(order.quantity) }),
        h('dt', { text: 'Total' }), h('dd', { text: Money(order.total_price) }),
        h('dt', { text: 'Status' }), h('dd', {}, status),
        h('dt', { text: 'Placed' }), h('dd', { text: DateText(order.created_at) })),
    );
    if (order.status === 'placed') {
      const cancel = h('button', { type: 'button', class: 'button secondary', text: 'Cancel order',
        'aria-label': `Cancel order #${order.id}` });
      cancel.addEventListener('click', async () => {
        cancel.disabled = true;
        try {
          await Call<Order>('DELETE', `/orders/${order.id}`, { token: session.token });
          status.textContent = 'Cancelled';
          status.className = 'status cancelled';
          cancel.remove();
          ShowSuccess(notices, `Order #${order.id} is cancelled; its items are back in stock.`);
        } catch (error) {
          cancel.disabled = false;
          ShowProblem(notices, error, 'cancel', { retry: () => cancel.click() });
        }
      });
      item.append(cancel);
    }
    list.append(item);
  }
  if (orders.length > 0) body.append(list);
  const pager = Pager(page, hasNext, (n) => (n > 1 ? `#/orders?page=${n}` : '#/orders'), 'Order pages');
  if (pager) body.append(pager);
  return () => undefined;
}

export async function AccountView(main: HTMLElement): Promise<Cleanup> {
  const session = RequireSession();
  if (!session) return () => undefined;
  const { notices, body } = Page(main, 'My account');
  let user: User;
  try {
    user = await Call<User>('GET', `/users/${session.user.id}`, { token: session.token });
  } catch (error) {
    ShowProblem(notices, error, 'load', { retry: () => Go(location.hash) });
    return () => undefined;
  }
  const summary = h('dl', { class: 'account-summary' });
  const renderSummary = () => summary.replaceChildren(
    h('dt', { text: 'Username' }), h('dd', { text: user.username }),
    h('dt', { text: 'Student ID' }), h('dd', { text: user.sid }),
    h('dt', { text: 'Email' }), h('dd', { text: user.email }),
    h('dt', { text: 'Member since' }), h('dd', { text: DateText(user.created_at) }),
  );
  renderSummary();

  // Change email.
  const emailFields = { email: MakeField('email', 'New email', { type: 'email', autocomplete: 'email', value: user.email }) };
  const emailForm = h('form', { novalidate: true, 'aria-labelledby': 'email-heading' },
    h('h2', { id: 'email-heading', text: 'Change email' }), emailFields.email.wrapper,
    h('button', { type: 'submit', class: 'button', text: 'Save email' }));
  emailForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    ClearFieldErrors(emailForm);
    try {
      user = await Call<User>('PATCH', `/users/${user.id}`, { token: session.token, body: { email: emailFields.email.input.value } });
      UpdateSessionUser(user);
      renderSummary();
      ShowSuccess(notices, 'Your email address is saved.');
    } catch (error) {
      ShowProblem(notices, error, 'update', { fields: emailFields, retry: () => emailForm.requestSubmit() });
    }
  });

  // Change password: the api then stops accepting older tokens, so the shopper is signed in
  // again with the new password.
  const passwordFields = {
    password: MakeField('password', 'New password', { type: 'password', autocomplete: 'new-password' }, '8 to 128 characters.'),
    confirm: MakeField('confirm', 'Repeat the new password', { type: 'password', autocomplete: 'new-password' }),
  };
  const passwordForm = h('form', { novalidate: true, 'aria-labelledby': 'password-heading' },
    h('h2', { id: 'password-heading', text: 'Change password' }), passwordFields.password.wrapper, passwordFields.confirm.wrapper,
    h('button', { type: 'submit', class: 'button', text: 'Change password' }));
  passwordForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    ClearFieldErrors(passwordForm);
    const password = passwordFields.password.input.value;
    if (password !== passwordFields.confirm.input.value) {
      SetFieldError(passwordFields.confirm, 'The two passwords are not the same.');
      return;
    }
    try {
      await Call<User>('PATCH', `/users/${user.id}`, { token: session.token, body: { password } });
      const answer = await Call<LoginAnswer>('POST', '/users/login', { body: { username: user.username, password } });
      Object.assign(session, SaveSession(answer));
      passwordForm.reset();
      ShowSuccess(notices, 'Your password is changed.');
    } catch (error) {
      ShowProblem(notices, error, 'update', { fields: passwordFields, retry: () => passwordForm.requestSubmit() });
    }
  });

  // Deactivate.
  const understand = h('input', { type: 'checkbox', id: 'understand', name: 'understand' });
  const understandError = h('p', { class: 'field-error', id: 'understand-error', hidden: true });
  understand.setAttribute('aria-describedby', 'understand-error');
  const deactivateForm = h('form', { novalidate: true, 'aria-labelledby': 'deactivate-heading', class: 'danger-zone' },
    h('h2', { id: 'deactivate-heading', text: 'Deactivate account' }),
    h('p', { text: 'You will be signed out and cannot sign in again. Your orders stay as they are.' }),
    h('div', { class: 'field checkbox' }, understand, h('label', { for: 'understand', text: 'I understand that this cannot be undone' })),
    understandError,
    h('button', { type: 'submit', class: 'button danger', text: 'Deactivate my account' }));
  deactivateForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    ClearFieldErrors(deactivateForm);
    if (!understand.checked) {
      understand.setAttribute('aria-invalid', 'true');
      understandError.textContent = 'Tick the box to confirm.';
      understandError.hidden = false;
      understand.focus();
      return;
    }
    try {
      await Call<void>('DELETE', `/users/${user.id}`, { token: session.token });
      ClearSession();
      SetFlash({ text: 'Your account is deactivated. Thank you for shopping with us.', kind: 'success' });
      Go('#/');
    } catch (error) {
      ShowProblem(notices, error, 'deactivate', { retry: () => deactivateForm.requestSubmit() });
    }
  });

  body.append(summary, emailForm, passwordForm, deactivateForm);
  return () => undefined;
}

export function NotFoundView(main: HTMLElement): Cleanup {
  const { body } = Page(main, 'Page not found');
  body.append(h('p', {}, 'There is nothing here. ', h('a', { href: '#/', text: 'Go to the shop' }), '.'));
  return () => undefined;
}
