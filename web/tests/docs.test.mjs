// The API explorer (/docs/): Swagger UI over /openapi.yaml, Authorize with a bearer token and
// one authorised call executed through nginx.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';

import { AssertAccessible, RegisteredShopper, apiUrl } from './support.mjs';

export const tests = [
  {
    name: 'the API explorer loads the contract, authorizes with a bearer token and executes a call',
    async run({ context, screens }) {
      const shopper = await RegisteredShopper();
      const page = await context.newPage();
      const response = await page.goto(`${apiUrl}/docs`);
      assert.equal(response?.status(), 200);
      assert.equal(new URL(page.url()).pathname, '/docs/');
      await page.locator('.swagger-ui .info .title').getByText('SUSTech Merch Store API').waitFor();
      await page.locator('.opblock-summary-path[data-path="/users/{id}"]').first().waitFor();
      await page.screenshot({ path: resolve(screens, 'docs.png') });
      await AssertAccessible(page, 'API explorer');

      // Authorize: the bearer scheme of api/openapi.yaml.
      await page.getByRole('button', { name: /Authorize/ }).first().click();
      const dialog = page.locator('.dialog-ux .modal-ux');
      await dialog.locator('input[type="text"], input[type="password"]').first().fill(shopper.token);
      await dialog.locator('button.modal-btn.authorize').click();
      await dialog.locator('button.modal-btn', { hasText: 'Logout' }).waitFor();
      await dialog.locator('button.btn-done').click();
      await dialog.waitFor({ state: 'detached' });

      // GET /users/{id}: Try it out, Execute.
      const operation = page.locator('.opblock-get', { has: page.locator('.opblock-summary-path[data-path="/users/{id}"]') }).first();
      await operation.locator('.opblock-summary').click();
      await operation.getByRole('button', { name: 'Try it out' }).click();
      await operation.locator('input[placeholder="id"]').fill(String(shopper.id));
      const answered = page.waitForResponse((r) => new URL(r.url()).pathname === `/users/${shopper.id}`);
      await operation.getByRole('button', { name: 'Execute' }).click();
      const call = await answered;
      assert.equal(call.status(), 200);
      assert.equal(call.request().headers().authorization, `Bearer ${shopper.token}`);
      assert.equal(new URL(call.url()).origin, new URL(apiUrl).origin, 'the call went through the nginx that served the page');
      // The response as Swagger UI shows it, under "Server response".
      await operation.getByText('Server response').waitFor();
      const body = operation.locator('.responses-inner pre', { hasText: shopper.username }).first();
      await body.waitFor();
      assert.match(await body.innerText(), new RegExp(`"email": "${shopper.email}"`));
    },
  },
];
