// The end user's side: a page on another origin embeds an offerwall in an iframe (as the seed's
// embed code does), the wall shows offers, search works, and a click lands on the advertiser's
// page with the click id and sub-ID filled in.
import { expect } from '@playwright/test';
import { test } from './support';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const baseURL = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
const token = process.env.E2E_ADMIN_TOKEN ?? '';

/** A tiny "publisher site + advertiser" server on another port (another origin). */
async function otherOrigin(embedSrc: () => string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.setHeader('content-type', 'text/html; charset=utf-8');
    if (url.pathname === '/landing') {
      const c = url.searchParams.get('c') ?? '';
      const s1 = url.searchParams.get('s1') ?? '';
      res.end(`<!doctype html><title>Advertiser</title><h1>Advertiser landing</h1><p id="click">${c}</p><p id="s1">${s1}</p>`);
      return;
    }
    res.end(`<!doctype html><title>Publisher site</title><h1>My game site</h1>
      <iframe src="${embedSrc()}" title="Offerwall" width="100%" height="600" style="border-radius: 16px; border: none;"></iframe>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test('an embedded offerwall shows offers and a click reaches the advertiser', async ({ page, request }) => {
  test.skip(!token, 'E2E_ADMIN_TOKEN is set by end2end/run.sh');
  let wallUrl = '';
  const site = await otherOrigin(() => wallUrl);
  try {
    const auth = { Authorization: `Bearer ${token}` };
    const publisher = await (await request.post(`${baseURL}/api/admin/publishers`, { headers: auth, data: { name: 'Embed Pub' } })).json();
    for (const [name, payout] of [['Play Dragon Quest', 250], ['Install Shopper', 120]] as const) {
      const offer = await request.post(`${baseURL}/api/admin/offers`, {
        headers: auth,
        data: { name, payout_cents: payout, description: 'Reach level 5', url_template: `${site.url}/landing?c={click_id}&s1={s1}` },
      });
      expect(offer.status()).toBe(201);
    }
    const wall = await request.post(`${baseURL}/api/admin/offerwalls`, {
      headers: auth,
      data: { publisher_id: publisher.id, name: 'E2E wall', currency_name: 'Gems', exchange_rate: '1000', title: 'Earn Gems' },
    });
    expect(wall.status()).toBe(201);
    const { share_url: shareUrl, embed_code: embedCode } = await wall.json();
    expect(embedCode).toContain(`src="${shareUrl}"`);
    wallUrl = `${shareUrl}?s1=e2e-site&country=US`;

    await page.goto(`${site.url}/`);
    const frame = page.frameLocator('iframe');
    await expect(frame.getByRole('heading', { name: 'Earn Gems' })).toBeVisible();
    await expect(frame.getByRole('heading', { name: 'Play Dragon Quest' })).toBeVisible();
    await expect(frame.getByText('2,500 Gems').first()).toBeVisible();

    await frame.getByLabel('Search offers').fill('shopper');
    await expect(frame.getByRole('heading', { name: 'Play Dragon Quest' })).toBeHidden();
    await expect(frame.getByRole('heading', { name: 'Install Shopper' })).toBeVisible();
    await frame.getByLabel('Search offers').fill('dragon');

    const popup = page.context().waitForEvent('page');
    await frame.getByRole('link', { name: 'Earn 2,500 Gems' }).click();
    const advertiser = await popup;
    await advertiser.waitForLoadState();
    await expect(advertiser.getByRole('heading', { name: 'Advertiser landing' })).toBeVisible();
    await expect(advertiser.locator('#click')).toHaveText(/^clk_[0-9a-f]{16}$/);
    await expect(advertiser.locator('#s1')).toHaveText('e2e-site');
  } finally {
    await site.close();
  }
});
