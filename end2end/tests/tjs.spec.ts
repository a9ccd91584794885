// The landing snippet (/t.js, seed 001's CMS flow): a shop page that includes it, opened with
// affiliate parameters, ends up with the first-party cookie `tap_data` the shop's server reads.
// The shop page is served by the test itself (on the server's origin, so the cookie is
// first-party as it would be on a real shop); /t.js comes from the real TapRain server.
import { expect, type BrowserContext, type Page } from '@playwright/test';
import { test } from './support';

const DAY = 24 * 60 * 60;

/** Serves a tiny shop page at /shop-landing that includes the snippet with `attributes`. */
async function shopPage(page: Page, attributes: string): Promise<void> {
  await page.route('**/shop-landing*', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html><head><title>Shop</title>
        <script src="/t.js" ${attributes}></script></head>
        <body><h1>Shop</h1></body></html>`,
    }),
  );
}

async function tapCookie(context: BrowserContext) {
  return (await context.cookies()).find((c) => c.name === 'tap_data');
}

test('landing with ?ref= stores the referral in tap_data for data-days days', async ({ page, context }) => {
  await shopPage(page, 'data-days="7"');
  const before = Date.now() / 1000;
  await page.goto('/shop-landing?ref=nwjinmy&aid=A-1&s=newsletter&coupon=SAVE10&click_id=clk%2042');
  await expect.poll(() => tapCookie(context)).toBeDefined();

  const cookie = await tapCookie(context);
  expect(JSON.parse(decodeURIComponent(cookie!.value))).toEqual({
    referral_code: 'nwjinmy',
    asset_id: 'A-1',
    source_id: 'newsletter',
    coupon: 'SAVE10',
    click_id: 'clk 42',
  });
  expect(cookie!.path).toBe('/');
  expect(cookie!.sameSite).toBe('Lax');
  expect(cookie!.httpOnly).toBe(false);
  expect(cookie!.expires).toBeGreaterThan(before + 7 * DAY - 60);
  expect(cookie!.expires).toBeLessThan(before + 7 * DAY + 60);
  // The page's own scripts (and so the shop's server, through the Cookie header) can read it.
  expect(await page.evaluate(() => document.cookie)).toContain('tap_data=');
});

test('the seed names win in its order, the default is 30 days, and a plain visit keeps the cookie', async ({ page, context }) => {
  await shopPage(page, '');
  const before = Date.now() / 1000;
  await page.goto('/shop-landing?ref=third&referral_code=second&refc=first&a=asset');
  await expect.poll(() => tapCookie(context)).toBeDefined();
  const cookie = await tapCookie(context);
  expect(JSON.parse(decodeURIComponent(cookie!.value))).toEqual({ referral_code: 'first', asset_id: 'asset' });
  expect(cookie!.expires).toBeGreaterThan(before + 30 * DAY - 60);
  expect(cookie!.expires).toBeLessThan(before + 30 * DAY + 60);

  await page.goto('/shop-landing?utm_source=mail');
  await page.waitForLoadState('load');
  expect((await tapCookie(context))!.value).toBe(cookie!.value);

  // A later landing from another publisher replaces it (last click wins).
  await page.goto('/shop-landing?ref=other');
  await expect.poll(async () => (await tapCookie(context))?.value).not.toBe(cookie!.value);
  expect(JSON.parse(decodeURIComponent((await tapCookie(context))!.value))).toEqual({ referral_code: 'other' });
});

test('/t.js is served as cacheable JavaScript', async ({ request }) => {
  const response = await request.get('/t.js');
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toContain('application/javascript');
  expect(response.headers()['cache-control']).toContain('max-age=');
});
