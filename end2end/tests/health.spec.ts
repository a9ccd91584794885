// The Health screen: after a few postbacks, each source's calls show in one table that sorts by
// its headings and keeps itself current; a network's screen links to that network's row.
import { expect, type Page } from '@playwright/test';
import { admin, createNetwork, publisher, screenshots, sendCpa, signIn, uniq, waitForHydration, test } from './support';

test.describe.configure({ mode: 'serial', timeout: 90_000 });

/** The ids of the table's rows, top to bottom. */
async function order(page: Page): Promise<string[]> {
  return page.locator('[data-testid="health-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id') ?? ''));
}

test('the Health screen counts calls, sorts, refreshes, and is linked from a network', async ({ page, request }) => {
  const busy = await createNetwork(request, uniq('Busy network'));
  const calm = await createNetwork(request, uniq('Calm network'));
  for (let i = 0; i < 3; i += 1) {
    await sendCpa(request, busy.key, { external_identifier: publisher.id, amount: 100, lead_id: uniq('ok') });
  }
  // Refused once its network is known: no amount.
  const refused = await request.get(`/api/postback/cpa?key=${busy.key}&status=1&external_identifier=${publisher.id}&lead_id=${uniq('no-amount')}`);
  expect(refused.status()).toBe(400);
  await sendCpa(request, calm.key, { external_identifier: publisher.id, amount: 100, lead_id: uniq('ok') });

  await signIn(page, admin);
  await page.goto('/admin/health');
  await waitForHydration(page);
  const busyRow = page.locator(`[data-testid="health-row"][data-id="${busy.id}"]`);
  const calmRow = page.locator(`[data-testid="health-row"][data-id="${calm.id}"]`);
  await expect(busyRow).toHaveAttribute('data-kind', 'network');
  await expect(busyRow.getByTestId('accepted-day')).toHaveText('3');
  await expect(busyRow.getByTestId('refused-day')).toHaveText('1');
  await expect(busyRow).toContainText('amount');
  await expect(calmRow.getByTestId('refused-day')).toHaveText('0');

  // Most refusals first, then the other way round.
  const refusedHeading = page.getByRole('columnheader', { name: 'Refused 24 h', exact: true });
  await page.getByRole('button', { name: 'Refused 24 h', exact: true }).click();
  await expect(refusedHeading).toHaveAttribute('aria-sort', 'descending');
  let ids = await order(page);
  expect(ids.indexOf(busy.id)).toBeLessThan(ids.indexOf(calm.id));
  await page.getByRole('button', { name: 'Refused 24 h', exact: true }).click();
  await expect(refusedHeading).toHaveAttribute('aria-sort', 'ascending');
  ids = await order(page);
  expect(ids.indexOf(calm.id)).toBeLessThan(ids.indexOf(busy.id));
  // By name: Busy… before Calm…
  await page.getByRole('button', { name: 'Source', exact: true }).click();
  await expect(page.getByRole('columnheader', { name: 'Source', exact: true })).toHaveAttribute('aria-sort', 'ascending');
  ids = await order(page);
  expect(ids.indexOf(busy.id)).toBeLessThan(ids.indexOf(calm.id));

  // A new call shows without a reload (the screen reads again every 5 s).
  await sendCpa(request, busy.key, { external_identifier: publisher.id, amount: 100, lead_id: uniq('live') });
  await expect(busyRow.getByTestId('accepted-day')).toHaveText('4', { timeout: 15_000 });
  await expect(page.getByRole('columnheader', { name: 'Source', exact: true })).toHaveAttribute('aria-sort', 'ascending');
  await screenshots(page, 'admin-health');

  // From the network's own screen to its row alone.
  await page.goto(`/admin/networks/${busy.id}`);
  await waitForHydration(page);
  await page.getByTestId('health-link').click();
  await expect(page).toHaveURL(new RegExp(`/admin/health\\?kind=network&id=${busy.id}$`));
  await waitForHydration(page);
  await expect(busyRow).toBeVisible();
  await expect(page.locator('[data-testid="health-row"]')).toHaveCount(1);
  await expect(page.getByTestId('health-kind')).toHaveValue('network');
  await page.getByTestId('health-show-all').click();
  await expect(calmRow).toBeVisible();
});

test('a filter that keeps no source says so', async ({ page }) => {
  await signIn(page, admin);
  await page.goto('/admin/health?kind=provider&id=prv_nobody');
  await waitForHydration(page);
  await expect(page.getByTestId('list-empty')).toContainText('Nothing matches');
  await page.getByTestId('health-kind').selectOption('');
  await expect(page.getByTestId('list-empty')).toHaveCount(0);
  await expect(page.locator('[data-testid="health-row"]').first()).toBeVisible();
});
