// What the browser tests share: the stack's address and secrets (from .run/stack.env through
// the environment), arranging data over HTTP and SQL, JWTs, the axe-core scan and waiting on
// conditions. The tests reach the stack only as a shopper's browser would, plus SQL to arrange
// what the REST api cannot (products, stock) and scripts/stack.sh for the db outage.
import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';

const run = promisify(execFile);
const here = dirname(new URL(import.meta.url).pathname);
export const repoRoot = resolve(here, '../..');

function Required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with make browser (it reads .run/stack.env)`);
  return value;
}

export const apiUrl = Required('API_URL').replace(/\/$/, '');
const databaseUrl = Required('DATABASE_URL');
const jwtSecret = Required('JWT_SECRET');

// The contract's request id pattern (api/openapi.yaml).
export const kRequestIdPattern = /^[A-Za-z0-9._~:+=@/-]{1,128}$/;

export function Unique(prefix) {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// Waiting on a condition (never a fixed sleep).

export async function WaitFor(condition, { timeoutMs = 15000, intervalMs = 100, what = 'a condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((done) => setTimeout(done, intervalMs));
  }
}

// ---------------------------------------------------------------------------------------------
// The REST api, to arrange data and check what the page did.

export async function Api(method, path, { body, token, headers = {} } = {}) {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

export function NewShopper() {
  const tag = randomBytes(5).toString('hex');
  return {
    sid: `B${tag}`,
    username: `shopper_${tag}`,
    email: `shopper_${tag}@sustech.edu.cn`,
    password: `pass-${tag}-word`,
  };
}

// A registered shopper and their token.
export async function RegisteredShopper() {
  const shopper = NewShopper();
  const registered = await Api('POST', '/users/register', { body: shopper });
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  const login = await Api('POST', '/users/login', { body: { username: shopper.username, password: shopper.password } });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  return { ...shopper, id: registered.body.id, token: login.body.token, login: login.body };
}

export async function Orders(token) {
  const answer = await Api('GET', '/orders?limit=100', { token });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

export async function Stock(productId) {
  const answer = await Api('GET', `/products/${productId}`);
  assert.equal(answer.status, 200);
  return answer.body.stock;
}

// An HS256 token with the stack's secret (SPEC §3 claims), e.g. one that expired.
export function Jwt(claims) {
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${unsigned}.${createHmac('sha256', jwtSecret).update(unsigned).digest('base64url')}`;
}

// ---------------------------------------------------------------------------------------------
// SQL, for what the REST api cannot arrange. Values travel as psql variables, quoted by psql.

export async function Sql(statement, variables = {}) {
  const args = ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1'];
  for (const [name, value] of Object.entries(variables)) args.push('-v', `${name}=${value}`);
  args.push('-d', databaseUrl);
  const child = run('psql', args, { timeout: 15000 });
  child.child.stdin.end(statement);
  const { stdout } = await child;
  return stdout.trim();
}

// A product of the tests' own, in a category of its own, so a test owns its stock.
export async function CreateProduct({ name = Unique('Test tee '), category = Unique('Cat'), price = '12.50', stock = 10 } = {}) {
  const id = await Sql(
    `INSERT INTO products (name, description, category, price, slogan, stock)
     VALUES (:'name', 'Made by the browser tests.', :'category', :'price', 'Worn by tests.', :'stock') RETURNING id;`,
    { name, category, price, stock },
  );
  return { id: Number(id), name, category, price, stock };
}

export async function SetStock(productId, stock) {
  await Sql(`UPDATE products SET stock = :'stock' WHERE id = :'id';`, { stock, id: productId });
}

// ---------------------------------------------------------------------------------------------
// The local stack (scripts/stack.sh), for the outage test.

export async function Stack(...args) {
  await run(resolve(repoRoot, 'scripts/stack.sh'), args, { timeout: 120000, cwd: repoRoot });
}

export async function Ready() {
  try {
    return (await fetch(`${apiUrl}/readyz`)).status === 200;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Pages.

export const shopUrl = `${apiUrl}/shop/`;

// Opens a storefront route and waits until its view has rendered.
// A route of the page already open changes only the hash, which the page renders without a
// reload: the marker of the previous render is removed first.
export async function OpenShop(page, route = '#/') {
  await page.evaluate(() => document.querySelector('main')?.removeAttribute('data-ready')).catch(() => undefined);
  await page.goto(`${shopUrl}${route}`);
  await page.waitForSelector('main[data-ready]');
}

// A signed-in tab without going through the form (the form has its own tests): the session as
// the storefront stores it.
export async function SignedInPage(context, shopper, route = '#/') {
  await context.addInitScript((login) => {
    if (!sessionStorage.getItem('merch.session')) {
      sessionStorage.setItem('merch.session', JSON.stringify({
        token: login.token, user: login.user, expiresAt: Date.now() + login.expires_in * 1000,
      }));
    }
  }, shopper.login);
  const page = await context.newPage();
  await OpenShop(page, route);
  return page;
}

// The alert's request id, which must be the api's X-Request-Id.
export async function AlertRequestId(page) {
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const id = (await alert.locator('.request-id code').textContent())?.trim() ?? '';
  assert.match(id, kRequestIdPattern, 'the alert shows a request id');
  return id;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// axe-core on the page as it is now: no serious or critical violation (WCAG 2 A and AA rules
// and best practices). Evaluated through the DevTools protocol, so the page's CSP stays on.
export async function AssertAccessible(page, what) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 10).map((n) => n.target.join(' ')),
    }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `${what}: axe-core found serious violations`);
}
