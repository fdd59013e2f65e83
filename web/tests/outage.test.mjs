// The db service down (scripts/stack.sh kill db): the shopper is told the store is unavailable,
// with the request id and a way to retry; once it is back (scripts/stack.sh start), the retry
// places the order, exactly once. Runs last: it restarts part of the stack.
import assert from 'node:assert/strict';

import {
  AlertRequestId, AssertAccessible, CreateProduct, OpenShop, Orders, Ready, RegisteredShopper, SignedInPage, Stack,
  Stock, WaitFor,
} from './support.mjs';

export const tests = [
  {
    name: 'db service down: unavailable with the request id, then retry once it is back',
    async run({ context }) {
      const product = await CreateProduct({ stock: 10 });
      const shopper = await RegisteredShopper();
      const page = await SignedInPage(context, shopper, `#/product/${product.id}`);
      await page.getByRole('heading', { name: product.name }).waitFor();
      await Stack('kill', 'db');
      try {
        await page.getByLabel('Quantity').selectOption('2');
        await page.getByRole('button', { name: 'Place order' }).click();
        await page.getByRole('alert').getByText('The store is temporarily unavailable. Please try again in a moment.').waitFor();
        await AlertRequestId(page);
        const retry = page.getByRole('alert').getByRole('button', { name: 'Try again' });
        assert.ok(await retry.evaluate((button) => button === document.activeElement), 'Try again has focus');
        await AssertAccessible(page, 'service unavailable message');

        // The grid too.
        const other = await context.newPage();
        await OpenShop(other, '#/');
        await other.getByRole('alert').getByText('The store is temporarily unavailable.', { exact: false }).waitFor();
        await AlertRequestId(other);
        await other.close();
      } finally {
        await Stack('start');
      }
      await WaitFor(Ready, { timeoutMs: 60000, what: '/readyz' });
      await page.getByRole('alert').getByRole('button', { name: 'Try again' }).click();
      await page.getByRole('status').getByText(/^Order #\d+ placed: 2 × /).waitFor();
      const orders = await Orders(shopper.token);
      assert.equal(orders.length, 1);
      assert.equal(await Stock(product.id), 8);
    },
  },
];
