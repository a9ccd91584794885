// The admin dashboard's live side: postbacks sent by the test show up in the feed without a
// reload, held ones are approved, credited ones reversed, hostile offer names stay text, and
// the deliveries screen resends what failed. Then the publisher's postback settings.
import { expect, type Page } from '@playwright/test';
import { test } from './support';
import {
  adminApi,
  admin,
  createNetwork,
  publisher,
  receiver,
  screenshots,
  sendCpa,
  signIn,
  uniq,
  waitForHydration,
} from './support';

const XSS = '<img src=x onerror=alert(1)>';

/** The feed row of the conversion with this lead id. */
function feedRow(page: Page, lead: string) {
  return page.locator(`[data-testid="feed-row"][data-lead="${lead}"]`);
}

async function openFeed(page: Page): Promise<void> {
  await page.goto('/admin/feed');
  await waitForHydration(page);
  await expect(page.getByTestId('stream-status')).toHaveText('Streaming');
}

// Whole flows with screenshots at two widths: more than the default 30 s on a busy machine.
test.describe.configure({ mode: 'serial', timeout: 60_000 });

test('postbacks appear in the live feed without a reload; held ones are approved, credited ones reversed', async ({ page, request }) => {
  const network = await createNetwork(request, uniq('Live Network'));
  await signIn(page, admin);
  await openFeed(page);
  // A reload would drop this marker.
  await page.evaluate(() => ((window as any).__sameDocument = true));

  const credited = uniq('lead');
  await sendCpa(request, network.key, { external_identifier: publisher.id, amount: 350, lead_id: credited });
  await expect(feedRow(page, credited)).toBeVisible({ timeout: 5_000 });
  await expect(feedRow(page, credited).locator('[data-status]')).toHaveText('credited');
  await expect(feedRow(page, credited)).toContainText('$3.50');

  const held = uniq('held');
  await sendCpa(request, network.key, { external_identifier: publisher.id, amount: 60000, lead_id: held });
  await expect(feedRow(page, held)).toBeVisible({ timeout: 5_000 });
  await expect(feedRow(page, held).locator('[data-status]')).toHaveText('held');
  await expect(feedRow(page, held)).toContainText('amount above ceiling');
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  await expect(page.getByTestId('arrived')).toContainText('2 new');

  // Filters narrow the table, live rows included.
  await page.getByTestId('filter-status').selectOption('held');
  await expect(feedRow(page, held)).toBeVisible();
  await expect(feedRow(page, credited)).toHaveCount(0);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(feedRow(page, credited)).toBeVisible();
  await screenshots(page, 'admin-feed');

  // Approve the held one, with a confirmation step.
  await feedRow(page, held).getByRole('link').click();
  await expect(page).toHaveURL(/\/admin\/conversions\//);
  await waitForHydration(page);
  await expect(page.getByTestId('conversion-status')).toHaveText('held');
  await page.getByTestId('review-approve').click();
  await expect(page.getByTestId('confirm')).toContainText('Approve and credit $600.00');
  await page.getByTestId('confirm-cancel').click();
  await expect(page.getByTestId('confirm')).toHaveCount(0);
  await page.getByTestId('review-approve').click();
  await page.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('review-result')).toContainText('Approved');
  await expect(page.getByTestId('conversion-status')).toHaveText('credited');
  await expect(page.getByTestId('postback-log')).toContainText('held');
  await screenshots(page, 'admin-conversion');

  // The feed shows the change too.
  await openFeed(page);
  await expect(feedRow(page, held).locator('[data-status]')).toHaveText('credited');

  // Reverse the credited one.
  await feedRow(page, credited).getByRole('link').click();
  await waitForHydration(page);
  await page.getByTestId('review-reverse').click();
  await expect(page.getByTestId('confirm')).toContainText('Reverse it? $3.50');
  await page.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('review-result')).toContainText('Reversed');
  await expect(page.getByTestId('conversion-status')).toHaveText('reversed');
  await expect(page.getByTestId('review-reverse')).toHaveCount(0);
});

test('an offer name with markup is shown as text in the feed and the details', async ({ page, request }) => {
  const network = await createNetwork(request, uniq('XSS Network'));
  const dialogs: string[] = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await signIn(page, admin);
  await openFeed(page);

  const lead = uniq('xss');
  await sendCpa(request, network.key, { external_identifier: publisher.id, amount: 125, lead_id: lead, offer_name: XSS });
  const row = feedRow(page, lead);
  await expect(row).toBeVisible({ timeout: 5_000 });
  await expect(row.getByTestId('feed-offer')).toHaveText(XSS);
  await expect(page.locator('img[src="x"]')).toHaveCount(0);

  await row.getByRole('link').click();
  await waitForHydration(page);
  await expect(page.getByTestId('conversion-fields')).toContainText(XSS);
  await expect(page.getByTestId('postback-log')).toContainText('offer_name=<img src=x onerror=alert(1)>');
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(dialogs).toEqual([]);
});

test('the overview shows today\'s figures and the last days as charts', async ({ page }) => {
  await signIn(page, admin);
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByTestId('today-conversions')).toHaveText(/^[1-9]\d*$/);
  await expect(page.getByTestId('today-payouts')).toHaveText(/^\$\d[\d,]*\.\d\d$/);
  await expect(page.getByTestId('held-count')).toHaveText(/^\d+$/);
  await expect(page.getByTestId('delivery-failures')).toHaveText(/^\d+$/);
  await expect(page.getByTestId('chart-conversions').locator('rect.bar')).toHaveCount(14);
  await expect(page.getByTestId('chart-payouts')).toBeVisible();
  await waitForHydration(page);
  await screenshots(page, 'admin-overview');
});

test('a publisher sets a postback URL, sees the secret once, and sends a test to their server', async ({ page }) => {
  const server = await receiver(200, 'OK');
  try {
    await signIn(page, publisher);
    await page.goto('/portal/postback');
    await waitForHydration(page);
    await expect(page.getByTestId('my-deliveries-empty')).toBeVisible();
    await expect(page.getByTestId('send-test')).toBeDisabled();

    const field = page.getByTestId('url-template');
    await field.fill(`${server.url}/pb?user={user_id}&tx={tx_id}`);
    await field.pressSequentially('&x={bogus}');
    await expect(page.getByTestId('template-error')).toHaveText('Unknown macro {bogus}');
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('save-postback')).toBeDisabled();

    await field.fill(`${server.url}/pb?user={user_id}&tx={tx_id}&reward={reward}&status={status}`);
    await expect(page.getByTestId('template-error')).toHaveText('');
    await page.getByTestId('save-postback').click();
    await expect(page.getByTestId('save-result')).toContainText('Saved');
    await expect(page.getByTestId('secret-value')).toHaveText(/^whsec_/);
    const secret = await page.getByTestId('secret-value').innerText();
    await expect(page.getByTestId('copy-secret')).toBeVisible();

    await page.getByTestId('send-test').click();
    await expect(page.getByTestId('test-verdict')).toContainText('Delivered');
    await expect(page.getByTestId('test-url')).toContainText(`GET ${server.url}/pb?user=`);
    await expect(page.getByTestId('test-url')).toContainText('&hash=');
    await expect(page.getByTestId('test-status')).toHaveText('200');
    await expect(page.getByTestId('test-body')).toHaveText('OK');
    expect(server.hits.length).toBe(1);
    await screenshots(page, 'portal-postback');

    // Shown once: after a reload only a hint remains, and saving again keeps the secret hidden.
    await page.reload();
    await waitForHydration(page);
    await expect(page.getByTestId('new-secret')).toHaveCount(0);
    await expect(page.getByTestId('secret-hint')).toContainText(secret.slice(0, 10));
    await expect(page.getByTestId('url-template')).toHaveValue(/\{reward\}/);
    await page.getByTestId('save-postback').click();
    await expect(page.getByTestId('save-result')).toContainText('Saved');
    await expect(page.getByTestId('new-secret')).toHaveCount(0);

    // Rotating asks first, then shows the new secret once; the hint follows it.
    await page.getByTestId('rotate-secret').click();
    await page.getByTestId('confirm-yes').click();
    await expect(page.getByTestId('secret-value')).toHaveText(/^whsec_/);
    const rotated = await page.getByTestId('secret-value').innerText();
    expect(rotated).not.toBe(secret);
    await expect(page.getByTestId('secret-hint')).toContainText(rotated.slice(0, 10));
    await page.getByTestId('secret-done').click();
    await expect(page.getByTestId('new-secret')).toHaveCount(0);
  } finally {
    await server.close();
  }
});

test('a publisher resends failed deliveries and watches them go out', async ({ page, request }) => {
  const failing = await receiver(500, 'nope');
  const working = await receiver(200, 'OK');
  try {
    const network = await createNetwork(request, uniq('Resend Network'));
    await adminApi(request, 'PUT', `/api/admin/publishers/${publisher.id}/postback`, { url_template: `${failing.url}/pb?tx={tx_id}`, max_retries: 0 });
    await sendCpa(request, network.key, { external_identifier: publisher.id, amount: 150, lead_id: uniq('resend') });
    await expect.poll(() => failing.hits.length, { timeout: 10_000 }).toBeGreaterThan(0);
    await adminApi(request, 'PUT', `/api/admin/publishers/${publisher.id}/postback`, { url_template: `${working.url}/pb?tx={tx_id}`, max_retries: 0 });

    await signIn(page, publisher);
    await page.goto('/portal/postback');
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId('delivery-row').first()).toHaveAttribute('data-status', 'failed', { timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    await waitForHydration(page);
    await page.getByTestId('resend-my-failed').click();
    await expect(page.getByTestId('resend-my-result')).toContainText('Queued');
    await expect(page.getByTestId('resend-progress')).toContainText('Done: all', { timeout: 20_000 });
    expect(working.hits.length).toBeGreaterThan(0);
  } finally {
    await failing.close();
    await working.close();
  }
});

test('failed deliveries are listed with their attempts and resent', async ({ page, request }) => {
  const server = await receiver(500, 'nope');
  try {
    const network = await createNetwork(request, uniq('Delivery Network'));
    const target = await adminApi(request, 'POST', '/api/admin/publishers', { name: uniq('Broken Receiver Co') });
    await adminApi(request, 'PUT', `/api/admin/publishers/${target.id}/postback`, {
      url_template: `${server.url}/pb?tx={tx_id}&status={status}`,
      max_retries: 0,
    });
    await sendCpa(request, network.key, { external_identifier: target.id, amount: 200, lead_id: uniq('fail') });
    await expect.poll(() => server.hits.length, { timeout: 10_000 }).toBeGreaterThan(0);

    await signIn(page, admin);
    await page.goto(`/admin/deliveries?publisher=${target.id}`);
    await waitForHydration(page);
    const row = page.getByTestId('delivery-row').first();
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId('delivery-row').first()).toHaveAttribute('data-status', 'failed', { timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    await waitForHydration(page);
    await row.getByTestId('toggle-attempts').click();
    await expect(page.getByTestId('attempt-log')).toContainText('HTTP 500');
    await expect(page.getByTestId('attempt-log')).toContainText('nope');
    await screenshots(page, 'admin-deliveries');

    await page.getByTestId('resend-all-failed').click();
    await expect(page.getByTestId('resend-all-result')).toContainText('Queued 1 failed delivery again');
    await expect.poll(() => server.hits.length, { timeout: 10_000 }).toBeGreaterThan(1);
  } finally {
    await server.close();
  }
});

test('a publisher cannot open the admin feed or call its functions', async ({ page }) => {
  await signIn(page, publisher);
  await page.goto('/admin/feed');
  await expect(page).toHaveURL(/\/portal$/);
  await expect(page.getByTestId('feed-table')).toHaveCount(0);
  const statuses = await page.evaluate(async () => {
    const feed = await fetch('/api/admin_feed', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'network=&publisher=&status=&source=',
    });
    const events = await fetch('/api/admin/events');
    return [feed.status, events.status];
  });
  expect(statuses).toEqual([403, 403]);
});
