// The storefront (/shop/) as a shopper uses it: README "Web face" lists what these cover.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';

import {
  AlertRequestId, Api, AssertAccessible, CreateProduct, Jwt, NewShopper, OpenShop, Orders,
  RegisteredShopper, SetStock, SignedInPage, Stock, WaitFor, kRequestIdPattern,
} from './support.mjs';

function Card(page, name) {
  return page.locator('.card', { has: page.getByRole('link', { name, exact: true }) });
}

async function StockShown(page, productId) {
  return Number(await page.locator(`[data-stock-for="${productId}"]`).first().getAttribute('data-stock'));
}

async function WaitStockShown(page, productId, stock) {
  await page.locator(`[data-stock-for="${productId}"][data-stock="${stock}"]`).first().waitFor();
}

export const tests = [
  {
    name: 'the grid shows products with price and live stock, and filters by category',
    async run({ context, screens }) {
      const mine = await CreateProduct({ price: '7.25', stock: 42 });
      const page = await context.newPage();
      await OpenShop(page);
      assert.equal(await page.title(), 'Shop · SUSTech Merch Store');
      const hoodie = Card(page, 'SUSTech Hoodie');
      await hoodie.waitFor();
      assert.match(await hoodie.locator('.price').innerText(), /49\.99/);
      assert.match(await hoodie.locator('.stock').innerText(), /^(In stock: \d+|Out of stock)$/);
      assert.equal(await hoodie.locator('.category').innerText(), 'APPAREL'.toUpperCase());
      await page.screenshot({ path: resolve(screens, 'shop.png') });
      await AssertAccessible(page, 'shop grid');

      // The filter lists every category, the test's own one included, and shows only its products.
      await page.getByLabel('Category').selectOption(mine.category);
      await page.waitForFunction((category) => location.hash.includes(encodeURIComponent(category)), mine.category);
      await page.waitForSelector('main[data-ready]');
      await WaitFor(async () => (await page.locator('.card').count()) === 1, { what: 'one card in the category' });
      const card = Card(page, mine.name);
      assert.match(await card.locator('.price').innerText(), /7\.25/);
      assert.equal(await card.locator('.stock').innerText(), 'In stock: 42');

      // Live stock: a change made elsewhere shows without a reload.
      await SetStock(mine.id, 0);
      await WaitStockShown(page, mine.id, 0);
      assert.equal(await card.locator('.stock').innerText(), 'Out of stock');

      await page.getByLabel('Category').selectOption('');
      await page.waitForFunction(() => !location.hash.includes('category'));
      await Card(page, 'SUSTech Notebook').waitFor();
    },
  },
  {
    name: 'the whole shopping path: register, sign in, order, stock drops, my orders, cancel, stock restored',
    async run({ context }) {
      const product = await CreateProduct({ price: '19.90', stock: 10 });
      const shopper = NewShopper();
      const page = await context.newPage();
      await OpenShop(page);

      await page.getByRole('link', { name: 'Register' }).click();
      await page.getByRole('heading', { name: 'Create an account' }).waitFor();
      await AssertAccessible(page, 'register');
      await page.getByLabel('Student ID').fill(shopper.sid);
      await page.getByLabel('Username').fill(shopper.username);
      await page.getByLabel('Email').fill(shopper.email);
      await page.getByLabel('Password').fill(shopper.password);
      await page.getByRole('button', { name: 'Create account' }).click();

      await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
      await page.getByRole('status').getByText(`Welcome, ${shopper.username}!`).waitFor();
      assert.equal(await page.getByLabel('Your username').inputValue(), shopper.username);
      await AssertAccessible(page, 'sign in');
      await page.getByLabel('Password').fill(shopper.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('status').getByText(`Signed in as ${shopper.username}.`).waitFor();
      assert.ok(await page.evaluate(() => sessionStorage.getItem('merch.session')), 'token in sessionStorage');
      assert.equal(await page.evaluate(() => document.cookie), '', 'no cookie');
      assert.equal(await page.evaluate(() => localStorage.length), 0, 'nothing in localStorage');

      await OpenShop(page, `#/product/${product.id}`);
      await page.getByRole('heading', { name: product.name }).waitFor();
      assert.equal(await StockShown(page, product.id), 10);
      await AssertAccessible(page, 'product detail');
      await page.getByLabel('Quantity').selectOption('3');
      await page.getByRole('button', { name: 'Place order' }).click();
      const placed = page.getByRole('status').getByText(/^Order #\d+ placed: 3 × /);
      await placed.waitFor();
      assert.match(await placed.innerText(), /total 59\.70/);
      await WaitStockShown(page, product.id, 7);
      assert.equal(await Stock(product.id), 7);

      await page.getByRole('link', { name: 'See my orders' }).click();
      await page.getByRole('heading', { name: 'My orders' }).waitFor();
      const orders = page.locator('li.order');
      // The heading comes before the list, which is drawn once its request answers.
      await orders.first().waitFor();
      assert.equal(await orders.count(), 1);
      const order = orders.first();
      assert.match(await order.innerText(), new RegExp(product.name));
      assert.match(await order.innerText(), /Placed/);
      await AssertAccessible(page, 'my orders');
      const orderId = await order.getAttribute('data-order-id');
      await page.getByRole('button', { name: `Cancel order #${orderId}` }).click();
      await page.getByRole('status').getByText(`Order #${orderId} is cancelled`).waitFor();
      assert.equal(await order.locator('.status').innerText(), 'Cancelled');
      assert.equal(await page.getByRole('button', { name: `Cancel order #${orderId}` }).count(), 0);

      await order.getByRole('link', { name: product.name }).click();
      await page.getByRole('heading', { name: product.name }).waitFor();
      await WaitStockShown(page, product.id, 10);
      assert.equal(await Stock(product.id), 10);
    },
  },
  {
    name: 'a double click on Place order places one order',
    async run({ context }) {
      const product = await CreateProduct({ stock: 10 });
      const shopper = await RegisteredShopper();
      const page = await SignedInPage(context, shopper, `#/product/${product.id}`);
      const keys = [];
      page.on('request', (request) => {
        if (request.method() === 'POST' && request.url().endsWith('/orders')) keys.push(request.headers()['idempotency-key']);
      });
      await page.getByRole('button', { name: 'Place order' }).dblclick();
      await page.getByRole('status').getByText(/^Order #\d+ placed: 1 × /).waitFor();
      assert.equal((await Orders(shopper.token)).length, 1);
      assert.equal(await Stock(product.id), 9);
      assert.ok(keys.length >= 1 && keys.every((key) => key === keys[0] && /^shop-[0-9a-f]{32}$/.test(key)), `keys ${keys}`);

      // A new attempt gets a new key.
      await page.getByRole('button', { name: 'Place order' }).click();
      await WaitFor(async () => (await Orders(shopper.token)).length === 2, { what: 'the second order' });
      assert.notEqual(keys.at(-1), keys[0]);
    },
  },
  {
    name: 'out of stock: the shopper is told, with the request id',
    async run({ context }) {
      const product = await CreateProduct({ stock: 5 });
      const shopper = await RegisteredShopper();
      const page = await SignedInPage(context, shopper, `#/product/${product.id}`);
      await SetStock(product.id, 1); // someone else bought the rest meanwhile
      await page.getByLabel('Quantity').selectOption('2');
      await page.getByRole('button', { name: 'Place order' }).click();
      await page.getByRole('alert').getByText('Sorry, there is not enough stock left for that quantity.').waitFor();
      await AlertRequestId(page);
      await WaitStockShown(page, product.id, 1);
      assert.deepEqual(await Orders(shopper.token), []);
      await AssertAccessible(page, 'out-of-stock message');
    },
  },
  {
    name: 'invalid or taken input: the message names the field, which is marked and focused',
    async run({ context }) {
      const taken = await RegisteredShopper();
      const shopper = NewShopper();
      const page = await context.newPage();
      await OpenShop(page, '#/register');
      await page.getByLabel('Student ID').fill(shopper.sid);
      await page.getByLabel('Username').fill(shopper.username);
      await page.getByLabel('Email').fill('not an email');
      await page.getByLabel('Password').fill(shopper.password);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('alert').getByText(/^Please check your email address\./).waitFor();
      await AlertRequestId(page);
      const email = page.getByLabel('Email');
      assert.equal(await email.getAttribute('aria-invalid'), 'true');
      assert.ok(await email.evaluate((input) => input === document.activeElement), 'the email field has focus');
      assert.match(await page.locator('#field-email-error').innerText(), /email address/);
      await AssertAccessible(page, 'register with an invalid field');

      // A taken username: that field is marked instead.
      await email.fill(shopper.email);
      await page.getByLabel('Username').fill(taken.username.toUpperCase());
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('alert').getByText('That username is already taken. Please choose another one.').waitFor();
      assert.equal(await page.getByLabel('Username').getAttribute('aria-invalid'), 'true');
      assert.equal(await email.getAttribute('aria-invalid'), null);

      // A wrong password at sign-in.
      await OpenShop(page, '#/signin');
      await page.getByLabel('Your username').fill(taken.username);
      await page.getByLabel('Password').fill('wrong password!');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('alert').getByText(/^That sign-in did not work/).waitFor();
      await AlertRequestId(page);
    },
  },
  {
    name: 'an expired session sends the shopper to sign in, and back where they were',
    async run({ context }) {
      const shopper = await RegisteredShopper();
      const now = Math.floor(Date.now() / 1000);
      const expired = Jwt({ sub: String(shopper.id), iat: now - 90000, exp: now - 3600, iss: 'sustech-merch-store' });
      assert.equal((await Api('GET', '/orders', { token: expired })).status, 401);
      const page = await SignedInPage(context, { ...shopper, login: { ...shopper.login, token: expired } }, '#/');
      await page.getByRole('link', { name: 'My orders', exact: true }).click();
      await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
      await page.getByRole('alert').getByText('Your session has expired. Please sign in again.').waitFor();
      await AlertRequestId(page);
      assert.equal(await page.evaluate(() => sessionStorage.getItem('merch.session')), null, 'the old token is gone');
      await page.getByRole('link', { name: 'Sign in', exact: true }).waitFor(); // the header shows signed out
      await page.getByLabel('Your username').fill(shopper.username);
      await page.getByLabel('Password').fill(shopper.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'My orders' }).waitFor();
    },
  },
  {
    name: 'my orders: newest first, ten a page, with previous and next',
    async run({ context }) {
      const product = await CreateProduct({ stock: 50 });
      const shopper = await RegisteredShopper();
      const ids = [];
      for (let i = 0; i < 12; i += 1) {
        const answer = await Api('POST', '/orders', {
          token: shopper.token, body: { product_id: product.id, quantity: 1 }, headers: { 'Idempotency-Key': `paging-${i}` },
        });
        assert.equal(answer.status, 201);
        ids.push(answer.body.id);
      }
      const newestFirst = ids.slice().reverse().map(String);
      const page = await SignedInPage(context, shopper, '#/orders');
      await page.getByRole('heading', { name: 'My orders' }).waitFor();
      const shown = () => page.locator('li.order').evaluateAll((items) => items.map((item) => item.dataset.orderId));
      // The heading comes before the list, which is drawn once its request answers.
      await WaitFor(async () => JSON.stringify(await shown()) === JSON.stringify(newestFirst.slice(0, 10)), { what: 'page 1' });
      assert.equal(await page.getByRole('link', { name: 'Previous page' }).count(), 0);
      await page.getByRole('link', { name: 'Next page' }).click();
      await page.waitForFunction(() => location.hash === '#/orders?page=2');
      await page.waitForSelector('main[data-ready]');
      await WaitFor(async () => JSON.stringify(await shown()) === JSON.stringify(newestFirst.slice(10)), { what: 'page 2' });
      assert.equal(await page.getByRole('link', { name: 'Next page' }).count(), 0);
      await page.getByRole('link', { name: 'Previous page' }).click();
      await WaitFor(async () => (await shown()).length === 10, { what: 'page 1 again' });
    },
  },
  {
    name: 'my account: change email, change password, deactivate',
    async run({ context }) {
      const shopper = await RegisteredShopper();
      const page = await SignedInPage(context, shopper, '#/account');
      await page.getByRole('heading', { name: 'My account' }).waitFor();
      await AssertAccessible(page, 'my account');

      const email = page.getByLabel('New email');
      await email.fill('no-at-sign');
      await page.getByRole('button', { name: 'Save email' }).click();
      await page.getByRole('alert').getByText(/^Please check your email address\./).waitFor();
      assert.equal(await email.getAttribute('aria-invalid'), 'true');
      const newEmail = `new_${shopper.email}`;
      await email.fill(newEmail);
      await page.getByRole('button', { name: 'Save email' }).click();
      await page.getByRole('status').getByText('Your email address is saved.').waitFor();
      assert.match(await page.locator('.account-summary').innerText(), new RegExp(newEmail.replace('.', '\\.')));
      assert.equal((await Api('GET', `/users/${shopper.id}`, { token: shopper.token })).body.email, newEmail);

      const newPassword = `${shopper.password}-2`;
      await page.getByLabel('New password', { exact: true }).fill(newPassword);
      await page.getByLabel('Repeat the new password').fill(`${newPassword}x`);
      await page.getByRole('button', { name: 'Change password' }).click();
      assert.match(await page.locator('#field-confirm-error').innerText(), /not the same/);
      await page.getByLabel('Repeat the new password').fill(newPassword);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('status').getByText('Your password is changed.').waitFor();
      // The old token stopped working; the page signed in again and keeps working.
      assert.equal((await Api('GET', '/orders', { token: shopper.token })).status, 401);
      // The view is ready once its GET /orders answered (a revoked token would show an alert).
      await page.evaluate(() => document.querySelector('main')?.removeAttribute('data-ready'));
      await page.getByRole('link', { name: 'My orders', exact: true }).click();
      await page.waitForSelector('main[data-ready]');
      await page.getByRole('heading', { name: 'My orders' }).waitFor();
      assert.equal(await page.getByRole('alert').count(), 0);

      await page.getByRole('link', { name: 'My account', exact: true }).click();
      await page.getByRole('button', { name: 'Deactivate my account' }).click();
      assert.match(await page.locator('#understand-error').innerText(), /Tick the box/);
      await page.getByLabel('I understand that this cannot be undone').check();
      await page.getByRole('button', { name: 'Deactivate my account' }).click();
      await page.getByRole('status').getByText('Your account is deactivated.', { exact: false }).waitFor();
      await page.getByRole('heading', { name: 'Shop', exact: true }).waitFor();
      const login = await Api('POST', '/users/login', { body: { username: shopper.username, password: newPassword } });
      assert.equal(login.status, 401);
    },
  },
  {
    name: 'ordering with the keyboard only',
    async run({ context }) {
      const product = await CreateProduct({ stock: 10 });
      const shopper = await RegisteredShopper();
      const page = await context.newPage();
      await OpenShop(page, `#/?category=${encodeURIComponent(product.category)}`);
      // What has focus: "TAG#id href text".
      const focused = () => page.evaluate(() => {
        const element = document.activeElement;
        if (!element) return '';
        return `${element.tagName}#${element.id} ${element.getAttribute('href') ?? ''} ${element.textContent?.trim() ?? ''}`;
      });
      // Presses Tab until `predicate(focused())` holds: the element is reachable in the focus
      // order.
      const tabTo = async (predicate, what) => {
        for (let i = 0; i < 40; i += 1) {
          await page.keyboard.press('Tab');
          if (predicate(await focused())) return;
        }
        throw new Error(`Tab never reached ${what} (focus is on ${await focused()})`);
      };
      await tabTo((text) => text.startsWith('A# #/signin'), 'the Sign in link');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
      await tabTo((text) => text.startsWith('INPUT#field-name '), 'the username field');
      await page.keyboard.type(shopper.username);
      await page.keyboard.press('Tab');
      assert.match(await focused(), /^INPUT#field-password /);
      await page.keyboard.type(shopper.password);
      await page.keyboard.press('Enter');
      await page.getByRole('status').getByText(`Signed in as ${shopper.username}.`).waitFor();

      await OpenShop(page, `#/?category=${encodeURIComponent(product.category)}`);
      await tabTo((text) => text.startsWith(`A# #/product/${product.id} `), 'the product link');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: product.name }).waitFor();
      await tabTo((text) => text.startsWith('SELECT#quantity '), 'the quantity');
      await page.keyboard.press('ArrowDown'); // 2
      await tabTo((text) => text === 'BUTTON#  Place order', 'Place order');
      await page.keyboard.press('Enter');
      await page.getByRole('status').getByText(/^Order #\d+ placed: 2 × /).waitFor();
      const orders = await Orders(shopper.token);
      assert.equal(orders.length, 1);
      assert.equal(orders[0].quantity, 2);
    },
  },
  {
    name: 'at phone width the pages fit the screen and ordering works',
    context: { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
    async run({ context, screens }) {
      const product = await CreateProduct({ stock: 10 });
      const shopper = await RegisteredShopper();
      const page = await SignedInPage(context, shopper, '#/');
      const fits = async (what) => {
        const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
        assert.ok(scroll <= width, `${what}: ${scroll} px wide in a ${width} px screen`);
      };
      await Card(page, 'SUSTech Hoodie').waitFor();
      await fits('shop');
      // One column: the cards are stacked.
      const boxes = await page.locator('.card').evaluateAll((cards) => cards.slice(0, 3).map((card) => card.getBoundingClientRect().left));
      assert.ok(boxes.length >= 3 && boxes.every((left) => left === boxes[0]), `card columns ${boxes}`);
      await page.screenshot({ path: resolve(screens, 'shop-phone.png') });
      await AssertAccessible(page, 'shop at phone width');

      await OpenShop(page, `#/product/${product.id}`);
      await page.getByRole('heading', { name: product.name }).waitFor();
      await fits('product');
      await page.getByRole('button', { name: 'Place order' }).tap();
      await page.getByRole('status').getByText(/^Order #\d+ placed/).waitFor();
      await page.getByRole('link', { name: 'My orders', exact: true }).tap();
      await page.locator('li.order').first().waitFor();
      await fits('my orders');
      await page.getByRole('link', { name: 'My account', exact: true }).tap();
      await page.getByRole('heading', { name: 'My account' }).waitFor();
      await fits('my account');
    },
  },
];
