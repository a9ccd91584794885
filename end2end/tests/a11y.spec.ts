// Every screen of app/src/app.rs, as admin and as publisher, in light and dark mode: axe finds no
// serious or critical violation, and at 375 px nothing scrolls sideways (realistic data: long
// names, keys and URLs, 30+ rows). Also: the keyboard alone signs in and approves a held
// conversion; Escape closes a confirmation; the skip link reaches the content; the feed says
// which time zone it shows.
import AxeBuilder from '@axe-core/playwright';
import { expect, type APIRequestContext, type Page } from '@playwright/test';

import { admin, adminApi, createNetwork, publisher, sendCpa, signIn, uniq, waitForHydration, PHONE, test } from './support';

/** Ids of one of each kind of entity, made once with long names and many rows. */
interface Fixture {
  network: string;
  publisher: string;
  program: string;
  wall: string;
  conversion: string;
  rewardUser: string;
}

const LONG = 'Extraordinarily-Long-Affiliate-Network-Name-Without-Any-Spaces-To-Break-On';

async function fixture(request: APIRequestContext): Promise<Fixture> {
  const network = await createNetwork(request, `${LONG} ${uniq('n')}`);
  for (let i = 0; i < 32; i += 1) {
    await adminApi(request, 'POST', '/api/admin/networks', { name: `${LONG}-${i} ${uniq('row')}` });
    await adminApi(request, 'POST', '/api/admin/publishers', { name: `${LONG} publisher ${i}`, email: `very.long.address.${i}.${uniq('e')}@subdomain.example.com` });
  }
  const program = await adminApi(request, 'POST', '/api/admin/programs', { name: `${LONG} program`, currency: 'USD', commission_percent: '12.5' });
  await adminApi(request, 'POST', `/api/admin/programs/${program.id}/coupons`, { publisher_id: publisher.id, code: `COUPON-${LONG}`.slice(0, 60) });
  await adminApi(request, 'POST', '/api/admin/offers', {
    name: `${LONG} offer`,
    payout_cents: 250,
    url_template: `https://advertiser.example/click/${LONG}?click={click_id}&sub={s1}&another=parameter&and=more`,
  });
  const wall = await adminApi(request, 'POST', '/api/admin/offerwalls', { publisher_id: publisher.id, name: `${LONG} wall`, currency_name: 'Coins' });
  const lead = uniq('held');
  await sendCpa(request, network.key, { external_identifier: publisher.id, amount: 60000, lead_id: lead });
  for (let i = 0; i < 31; i += 1) {
    await sendCpa(request, network.key, { external_identifier: publisher.id, amount: 120 + i, lead_id: uniq(`row${i}`), offer_name: `${LONG} ${i}` });
  }
  const feed = await adminApi(request, 'POST', '/api/admin/store-apps', { pid: uniq('pid'), name: `${LONG} app` });
  const secret = await adminApi(request, 'POST', '/api/admin/reward-secrets', {});
  const userResponse = await request.post('/api/reward/users', {
    data: { appId: `app-${LONG}`.slice(0, 60), deviceId: `device-${LONG}`.slice(0, 60) },
    headers: { Authorization: `Bearer ${secret.secret}` },
  });
  expect(userResponse.status()).toBe(201);
  const rewardUser = (await userResponse.json()).id;
  const conversions = await request.get(`/api/admin/conversions?network=${network.id}&status=held&limit=1000`, {
    headers: { Authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN}` },
  });
  const held = (await conversions.json()).items.find((c: { lead_id: string }) => c.lead_id === lead);
  expect(held, 'the held conversion').toBeTruthy();
  expect(feed.pid).toBeTruthy();
  return { network: network.id, publisher: publisher.id, program: program.id, wall: wall.id, conversion: held.id, rewardUser };
}

function adminRoutes(f: Fixture): string[] {
  return [
    '/admin',
    '/admin/feed',
    `/admin/conversions/${f.conversion}`,
    '/admin/deliveries',
    '/admin/health',
    '/admin/offers',
    '/admin/offerwalls',
    `/admin/offerwalls/${f.wall}`,
    '/admin/reward',
    `/admin/reward/users/${f.rewardUser}`,
    '/admin/audit',
    '/admin/secrets',
    '/admin/networks',
    `/admin/networks/${f.network}`,
    '/admin/publishers',
    `/admin/publishers/${f.publisher}`,
    '/admin/programs',
    `/admin/programs/${f.program}`,
    '/admin/reports',
  ];
}

const PORTAL_ROUTES = ['/portal', '/portal/postback', '/portal/conversions', '/portal/breakdowns', '/portal/offerwalls'];
const PUBLIC_ROUTES = ['/', '/login'];

let made: Fixture | undefined;

test.beforeAll(async ({ request }) => {
  made = await fixture(request);
});

async function checkScreen(page: Page, route: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize(PHONE);
    await page.goto(route);
    await waitForHydration(page);
    await page.waitForLoadState('networkidle');
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    // Soft: one run reports every screen's problems, not only the first.
    expect.soft(widths.scroll, `${route} scrolls sideways at 375 px (${scheme})`).toBeLessThanOrEqual(widths.inner);
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect.soft(
      bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`),
      `${route} in ${scheme} mode`,
    ).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test('every admin screen passes axe in light and dark mode and fits a phone', async ({ page }) => {
  test.setTimeout(600_000);
  await signIn(page, admin);
  for (const route of adminRoutes(made!)) {
    await checkScreen(page, route);
  }
});

test('every portal screen and the sign-in page pass axe and fit a phone', async ({ page }) => {
  test.setTimeout(300_000);
  for (const route of PUBLIC_ROUTES) {
    await checkScreen(page, route);
  }
  await signIn(page, publisher);
  for (const route of PORTAL_ROUTES) {
    await checkScreen(page, route);
  }
});

test('the keyboard alone signs in and approves a held conversion', async ({ page, request }) => {
  const network = await createNetwork(request, uniq('Keyboard network'));
  const lead = uniq('kbd');
  await sendCpa(request, network.key, { external_identifier: publisher.id, amount: 60000, lead_id: lead });

  await page.goto('/login');
  await waitForHydration(page);
  // Tab until the email field has the focus, then type and move on with Tab only.
  await page.keyboard.press('Tab');
  for (let i = 0; i < 10 && !(await page.locator('#email').evaluate((el) => el === document.activeElement)); i += 1) {
    await page.keyboard.press('Tab');
  }
  await page.keyboard.type(admin.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(admin.password);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/admin$/);
  await waitForHydration(page);

  // The skip link is the first stop and puts the keyboard in the content.
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('skip-link')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main#main')).toBeFocused();

  // To the feed's held row, by keyboard: focus its link and follow it.
  await page.goto('/admin/feed?status=held');
  await waitForHydration(page);
  const row = page.locator(`[data-testid="feed-row"][data-lead="${lead}"]`);
  await expect(row).toBeVisible();
  const link = row.getByRole('link');
  for (let i = 0; i < 200 && !(await link.evaluate((el) => el === document.activeElement)); i += 1) {
    await page.keyboard.press('Tab');
  }
  await expect(link).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/admin\/conversions\//);
  await waitForHydration(page);
  await expect(page.getByTestId('conversion-status')).toHaveText('held');

  const approve = page.getByTestId('review-approve');
  for (let i = 0; i < 100 && !(await approve.evaluate((el) => el === document.activeElement)); i += 1) {
    await page.keyboard.press('Tab');
  }
  await expect(approve).toBeFocused();
  // Escape closes the question and gives the keyboard back to the button.
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('confirm')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('confirm')).toHaveCount(0);
  await expect(approve).toBeFocused();
  // Open it again: "Yes" has the focus, Enter approves.
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('confirm-yes')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('review-result')).toContainText('Approved');
  await expect(page.getByTestId('conversion-status')).toHaveText('credited');
});

test('the feed shows times in the zone the admin chose, and says which', async ({ page }) => {
  await signIn(page, admin);
  await page.goto('/admin/feed');
  await waitForHydration(page);
  await expect(page.getByTestId('feed-zone')).toHaveText('UTC');
  await page.getByTestId('my-time-zone').selectOption('Asia/Tokyo');
  await expect(page.getByTestId('feed-zone')).toHaveText('Asia/Tokyo');
  await expect(page.getByRole('columnheader', { name: 'Time (Asia/Tokyo)' })).toBeVisible();
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByTestId('my-time-zone')).toHaveValue('Asia/Tokyo');
  await page.goto('/admin/audit');
  await waitForHydration(page);
  await expect(page.getByTestId('audit-zone')).toHaveText('Asia/Tokyo');
  // Back to UTC for the other specs.
  await page.getByTestId('my-time-zone').selectOption('UTC');
  await expect(page.getByTestId('audit-zone')).toHaveText('UTC');
});
