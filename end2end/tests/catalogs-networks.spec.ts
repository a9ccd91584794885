// Networks in the admin dashboard: create one and see its key once, refused IPs approved in one
// click, IPs added (an invalid CIDR is refused next to the field), the key rotated with an
// overlap and the new key used for a real postback, keys revoked, the network deactivated and
// reactivated.
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { admin, adminApi, createNetwork, publisher, screenshots, sendCpa, signIn, uniq, waitForHydration, test } from './support';

// Each flow walks a whole screen (and screenshots it at two widths): more than the default 30 s.
test.describe.configure({ mode: 'serial', timeout: 90_000 });

/** A CPA postback from 127.0.0.1 (where the tests run); returns the status. */
async function cpaStatus(request: APIRequestContext, key: string): Promise<number> {
  const query = new URLSearchParams({ key, external_identifier: publisher.id, amount: '125', status: '1', ip: '203.0.113.77', lead_id: uniq('lead') });
  const response = await request.get(`/api/postback/cpa?${query}`);
  return response.status();
}

async function openNetworks(page: Page): Promise<void> {
  await page.goto('/admin/networks');
  await waitForHydration(page);
}

test('a new network shows its key once; a refused IP is approved in one click; the rotated key works', async ({ page, request }) => {
  await signIn(page, admin);
  await openNetworks(page);

  // The name is required, said next to the field.
  await page.getByTestId('create-network-submit').click();
  await expect(page.getByTestId('error-name')).toContainText("network's name");

  const name = uniq('UI Network');
  await page.getByTestId('network-name').fill(name);
  await page.getByTestId('create-network-submit').click();
  const panel = page.getByTestId('secret-once');
  await expect(panel).toContainText('you will not see this again');
  await expect(panel.getByTestId('copy-secret')).toBeVisible();
  const firstKey = (await panel.getByTestId('secret-value').textContent())!.trim();
  expect(firstKey).toMatch(/^trk_[0-9a-f]{48}$/);
  await expect(page.locator(`[data-testid="network-row"][data-name="${name}"]`)).toBeVisible();

  // The listing searches.
  await page.getByTestId('list-search').fill(name);
  await expect(page.getByTestId('network-row')).toHaveCount(1);
  await expect(page.getByTestId('pager-status')).toHaveText('1–1 of 1');
  await page.getByTestId('list-search').fill('no network is called this');
  await expect(page.getByTestId('list-empty')).toBeVisible();

  await page.getByTestId('open-network').click();
  await expect(page).toHaveURL(/\/admin\/networks\/net_[0-9a-f]+$/);
  await waitForHydration(page);
  await expect(page.getByTestId('network-name-heading')).toHaveText(name);
  // Only a hint of the key is ever shown again.
  await expect(page.locator('body')).not.toContainText(firstKey);
  await expect(page.getByTestId('key-row')).toHaveCount(1);
  await expect(page.getByTestId('key-row')).toContainText(firstKey.slice(0, 8));

  // Not approved yet: the postback from 127.0.0.1 is refused and queued.
  expect(await cpaStatus(request, firstKey)).toBe(403);
  await page.reload();
  await waitForHydration(page);
  const queued = page.locator('[data-testid="refused-ip"][data-ip="127.0.0.1"]');
  await expect(queued).toBeVisible();
  await expect(queued.locator('td.num')).toHaveText('1');
  await screenshots(page, 'admin-network');

  // One click approves it; the next postback is accepted.
  await queued.getByTestId('approve-refused').click();
  await expect(page.locator('[data-testid="approved-ip"][data-ip="127.0.0.1"]')).toBeVisible();
  await expect(page.getByTestId('refused-empty')).toBeVisible();
  expect(await cpaStatus(request, firstKey)).toBe(200);

  // Rotate with a one-hour overlap: a new key, shown once; the old one keeps working.
  const keys = page.getByTestId('keys');
  await keys.getByTestId('overlap').selectOption('3600');
  await keys.getByTestId('rotate-key').click();
  const newKey = (await keys.getByTestId('secret-once').getByTestId('secret-value').textContent())!.trim();
  expect(newKey).toMatch(/^trk_/);
  expect(newKey).not.toBe(firstKey);
  await expect(keys.locator('[data-testid="key-row"][data-state="active"]')).toHaveCount(1);
  const overlapping = keys.locator('[data-testid="key-row"][data-state="overlap"]');
  await expect(overlapping).toHaveCount(1);
  await expect(overlapping.getByTestId('key-until')).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  await sendCpa(request, newKey, { external_identifier: publisher.id, amount: 210, lead_id: uniq('rotated') });
  expect(await cpaStatus(request, firstKey)).toBe(200);

  // Revoking the old key asks first, then stops it at once.
  await overlapping.getByTestId('revoke-key').click();
  await expect(keys.getByTestId('confirm')).toContainText('Revoke key');
  await keys.getByTestId('confirm-cancel').click();
  await expect(keys.getByTestId('confirm')).toHaveCount(0);
  await overlapping.getByTestId('revoke-key').click();
  await keys.getByTestId('confirm-yes').click();
  await expect(keys.locator('[data-testid="key-row"][data-state="revoked"]')).toHaveCount(1);
  expect(await cpaStatus(request, firstKey)).toBe(401);
  expect(await cpaStatus(request, newKey)).toBe(200);
});

test('approved IPs are validated, added and removed', async ({ page, request }) => {
  const network = await createNetwork(request, uniq('IP Network'));
  await signIn(page, admin);
  await page.goto(`/admin/networks/${network.id}`);
  await waitForHydration(page);

  for (const bad of ['10.0.0.0/99', 'not-an-ip', '300.1.2.3']) {
    await page.getByTestId('ip-input').fill(bad);
    await page.getByTestId('add-ip-submit').click();
    await expect(page.getByTestId('error-ip')).toContainText('CIDR block');
    await expect(page.getByTestId('ip-input')).toHaveAttribute('aria-invalid', 'true');
  }
  await page.getByTestId('ip-input').fill('198.51.100.9/24');
  await page.getByTestId('add-ip-submit').click();
  // Host bits are cleared.
  const added = page.locator('[data-testid="approved-ip"][data-ip="198.51.100.0/24"]');
  await expect(added).toBeVisible();
  await expect(page.getByTestId('error-ip')).toBeEmpty();
  await expect(page.getByTestId('ip-input')).toHaveValue('');
  await page.getByTestId('ip-input').fill('2001:db8::1');
  await page.getByTestId('add-ip-submit').click();
  await expect(page.locator('[data-testid="approved-ip"][data-ip="2001:db8::1"]')).toBeVisible();

  // Removing asks first.
  await added.getByTestId('remove-ip').click();
  await added.getByTestId('confirm-yes').click();
  await expect(added).toHaveCount(0);
  await expect(page.locator('[data-testid="approved-ip"][data-ip="127.0.0.1"]')).toBeVisible();
});

test('a deactivated network is refused until it is reactivated', async ({ page, request }) => {
  const name = uniq('Toggle Network');
  const network = await createNetwork(request, name);
  expect(await cpaStatus(request, network.key)).toBe(200);
  await signIn(page, admin);
  await page.goto(`/admin/networks/${network.id}`);
  await waitForHydration(page);

  await page.getByTestId('toggle-active').click();
  await expect(page.getByTestId('confirm')).toContainText('401');
  await page.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('inactive-note')).toBeVisible();
  await expect(page.getByTestId('toggle-active')).toHaveText('Reactivate');
  expect(await cpaStatus(request, network.key)).toBe(401);

  await page.getByTestId('toggle-active').click();
  await page.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('inactive-note')).toHaveCount(0);
  await expect(page.getByTestId('toggle-active')).toHaveText('Deactivate');
  expect(await cpaStatus(request, network.key)).toBe(200);

  // Rename, with the field's own message for an empty name.
  await page.getByTestId('rename-input').fill('   ');
  await page.getByTestId('rename-submit').click();
  await expect(page.getByTestId('error-name')).toContainText('Name must have 1 to 100 characters');
  await page.getByTestId('rename-input').fill(`${name} renamed`);
  await page.getByTestId('rename-submit').click();
  await expect(page.getByTestId('network-name-heading')).toHaveText(`${name} renamed`);

  await openNetworks(page);
  await expect(page.locator(`[data-testid="network-row"][data-name="${name} renamed"]`)).toBeVisible();
  await page.getByTestId('list-search').fill('');
  await screenshots(page, 'admin-networks');
});

test('the networks list pages through its search results', async ({ page, request }) => {
  const prefix = uniq('Paged');
  for (let n = 1; n <= 21; n++) {
    await adminApi(request, 'POST', '/api/admin/networks', { name: `${prefix} ${String(n).padStart(2, '0')}` });
  }
  await signIn(page, admin);
  await openNetworks(page);
  await page.getByTestId('list-search').fill(prefix);
  await expect(page.getByTestId('pager-status')).toHaveText('1–20 of 21');
  await expect(page.getByTestId('network-row')).toHaveCount(20);
  // Newest first.
  await expect(page.getByTestId('network-row').first()).toHaveAttribute('data-name', `${prefix} 21`);
  await expect(page.getByTestId('pager-previous')).toBeDisabled();
  await page.getByTestId('pager-next').click();
  await expect(page.getByTestId('pager-status')).toHaveText('21–21 of 21');
  await expect(page.getByTestId('network-row')).toHaveAttribute('data-name', `${prefix} 01`);
  await expect(page.getByTestId('pager-next')).toBeDisabled();
  await page.getByTestId('pager-previous').click();
  await expect(page.getByTestId('pager-status')).toHaveText('1–20 of 21');
  // A new search starts on the first page again.
  await page.getByTestId('pager-next').click();
  await page.getByTestId('list-search').fill(`${prefix} 1`);
  await expect(page.getByTestId('pager-status')).toHaveText('1–10 of 10');
});
