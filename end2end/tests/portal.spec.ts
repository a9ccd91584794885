// The publisher portal: earnings cards and chart, the conversions table with filters and its
// CSV export, breakdown by s1 (conversions that came through an offerwall click), the
// offerwalls' share URL and embed code — and nothing of anyone else: no admin screens, no other
// publisher's rows even when the request names them.
import { expect } from '@playwright/test';
import { adminApi, createNetwork, publisher, screenshots, sendCpa, signIn, uniq, waitForHydration, test } from './support';
import { clickThrough, exportCsv, wallWithOffer } from './report-support';

test.describe.configure({ mode: 'serial' });

const run = uniq('portal');
const s1 = `${run}-s1`;
const offer = `${run} Offer`;
let wall: { id: string; shareUrl: string; embedCode: string; offer: string };
let otherOffer = '';

test('seed: conversions for this publisher (one through an offerwall click) and for another', async ({ request }) => {
  const network = await createNetwork(request, uniq('Portal Network'));
  wall = await wallWithOffer(request, publisher.id, network.id, run);
  const clickId = await clickThrough(request, wall.shareUrl, wall.offer, s1);
  await sendCpa(request, network.key, { external_identifier: publisher.id, amount: 300, click_id: clickId, offer_name: offer, lead_id: uniq('click') });
  await sendCpa(request, network.key, { external_identifier: publisher.id, amount: 1250, offer_name: offer, country_code: 'CA', lead_id: uniq('plain') });
  const other = await adminApi(request, 'POST', '/api/admin/publishers', { name: uniq('Other Publisher') });
  otherOffer = `${run} Rival Offer`;
  await sendCpa(request, network.key, { external_identifier: other.id, amount: 999, offer_name: otherOffer, lead_id: uniq('other') });
});

test('earnings: today, 7 and 30 days with a chart by day', async ({ page }) => {
  await signIn(page, publisher);
  await expect(page).toHaveURL(/\/portal$/);
  await waitForHydration(page);
  const today = page.getByTestId('earnings-today');
  await expect(today).toHaveText(/^\$\d[\d,]*\.\d\d$/);
  const cents = (text: string) => Number(text.replace(/[$,.]/g, ''));
  const [d1, d7, d30] = [cents(await today.innerText()), cents(await page.getByTestId('earnings-7').innerText()), cents(await page.getByTestId('earnings-30').innerText())];
  expect(d1).toBeGreaterThanOrEqual(1250);
  expect(d7).toBeGreaterThanOrEqual(d1);
  expect(d30).toBeGreaterThanOrEqual(d7);
  await expect(page.getByTestId('chart-earnings')).toHaveAttribute('data-total', String(d30));
  await screenshots(page, 'portal-earnings');
});

test('conversions: filters narrow the table and the CSV holds only own rows', async ({ page }) => {
  await signIn(page, publisher);
  await page.goto('/portal/conversions');
  await waitForHydration(page);
  await page.getByTestId('filter-offer').fill(offer);
  await page.getByTestId('filter-offer').press('Enter');
  await expect(page.getByTestId('conversion-row')).toHaveCount(2);
  await page.getByTestId('filter-s1').fill(s1);
  await page.getByTestId('filter-s1').press('Enter');
  await expect(page.getByTestId('conversion-row')).toHaveCount(1);
  await expect(page.getByTestId('conversion-row').locator('[data-col="s1"]')).toHaveText(s1);
  await page.getByTestId('filter-s1').fill('');
  await page.getByTestId('filter-s1').press('Enter');
  await expect(page.getByTestId('conversion-row')).toHaveCount(2);
  await page.getByTestId('filter-status').selectOption('rejected');
  await expect(page.getByTestId('conversions-empty')).toContainText('No conversions match these filters');
  await page.getByTestId('filter-status').selectOption('');
  await expect(page.getByTestId('conversion-row')).toHaveCount(2);
  await screenshots(page, 'portal-conversions');

  const { lines, name } = await exportCsv(page, 'export-conversions');
  expect(name).toMatch(/^taprain-conversions-.*\.csv$/);
  await expect(page.getByTestId('export-conversions-status')).toContainText('Saved 2 rows');
  expect(lines[0]).toBe('id,time,status,offer_id,offer_name,country,s1,s2,payout,payout_cents,click_id');
  expect(lines).toHaveLength(3);
  expect(lines.some((l) => l.includes(`,${s1},`))).toBe(true);
  expect(lines.some((l) => l.includes('$12.50'))).toBe(true);
});

test('breakdown by s1 shows the offerwall sub-ID', async ({ page }) => {
  await signIn(page, publisher);
  await page.goto('/portal/breakdowns');
  await waitForHydration(page);
  await page.getByTestId('breakdown-group').selectOption('s1');
  const row = page.locator(`[data-testid="report-row"][data-key="${s1}"]`);
  await expect(row.locator('[data-col="conversions"]')).toHaveText('1');
  await expect(page.getByTestId('breakdown-chart-conversions')).toBeVisible();
  await expect(page.getByTestId('breakdown-group').locator('option[value="network"]')).toHaveCount(0);
  await screenshots(page, 'portal-breakdowns');
});

test('offerwalls: share URL and embed code to copy', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signIn(page, publisher);
  await page.goto('/portal/offerwalls');
  await waitForHydration(page);
  const card = page.locator(`[data-testid="offerwall-card"][data-id="${wall.id}"]`);
  await expect(card.getByTestId('share-url')).toHaveText(wall.shareUrl);
  await expect(card.getByTestId('embed-code')).toHaveText(wall.embedCode);
  await card.getByTestId('copy-share-url').click();
  await expect(card.getByTestId('copy-share-url')).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(wall.shareUrl);
  await screenshots(page, 'portal-offerwalls');
});

test("a publisher cannot open admin reports or read another publisher's data", async ({ page }) => {
  await signIn(page, publisher);
  await page.goto('/admin/reports');
  await expect(page).toHaveURL(/\/portal$/);

  for (const url of ['/api/admin/reports', '/api/admin/reports.csv', '/api/admin/conversions.csv']) {
    expect((await page.request.get(url)).status(), url).toBe(403);
  }
  // Naming another publisher changes nothing: the session decides.
  const others = await adminPublisherIds(page);
  for (const id of others) {
    const csv = await (await page.request.get(`/portal/conversions.csv?publisher=${id}`)).text();
    expect(csv).not.toContain(otherOffer);
    const report = await page.request.post('/api/portal_report', { form: { 'params[group]': 'offer', 'params[publisher]': id } });
    expect(report.status()).toBe(200);
    expect(await report.text()).not.toContain(otherOffer);
  }
});

/** Every publisher id, read with the admin token (the test knows them; the publisher does not). */
async function adminPublisherIds(page: import('@playwright/test').Page): Promise<string[]> {
  const response = await page.request.get('/api/admin/publishers?limit=500', { headers: { Authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN}` } });
  expect(response.status()).toBe(200);
  const body = await response.json();
  return body.items.map((p: { id: string }) => p.id).filter((id: string) => id !== publisher.id);
}
