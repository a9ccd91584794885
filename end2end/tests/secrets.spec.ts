// The secrets screen: every key and secret in one place. A reward API secret is generated (shown
// once), used and revoked; a network key is rotated with a custom overlap and the new key used;
// a publisher's postback secret is rotated after a confirmation.
import { expect } from '@playwright/test';
import { admin, adminApi, createNetwork, publisher, screenshots, sendCpa, signIn, uniq, waitForHydration, test } from './support';

// Each flow walks a whole screen (and screenshots it at two widths): more than the default 30 s.
test.describe.configure({ mode: 'serial', timeout: 90_000 });

test('a reward API secret is shown once, works, and stops when revoked', async ({ page, request }) => {
  await signIn(page, admin);
  await page.goto('/admin/secrets');
  await waitForHydration(page);
  const section = page.getByTestId('reward-secrets');
  await section.getByTestId('generate-reward-secret').click();
  const panel = section.getByTestId('secret-once');
  await expect(panel).toContainText('you will not see this again');
  const secret = (await panel.getByTestId('secret-value').textContent())!.trim();
  expect(secret).toMatch(/^rws_/);

  const register = () => request.post('/api/reward/users', { data: { appId: 'e2e.app', deviceId: uniq('device') }, headers: { Authorization: `Bearer ${secret}` } });
  expect((await register()).status()).toBe(201);

  // Listed by hint only, and gone for good once the panel is closed.
  const row = section.locator('[data-testid="key-row"]').filter({ hasText: secret.slice(0, 8) });
  await expect(row).toHaveAttribute('data-state', 'active');
  await panel.getByTestId('secret-done').click();
  await expect(page.locator('body')).not.toContainText(secret);

  await row.getByTestId('revoke-key').click();
  await row.getByTestId('confirm-yes').click();
  await expect(section.locator('[data-testid="key-row"]').filter({ hasText: secret.slice(0, 8) })).toHaveAttribute('data-state', 'revoked');
  expect((await register()).status()).toBe(401);
});

test('a network key rotates with a custom overlap and the new key is used', async ({ page, request }) => {
  const name = uniq('Secrets Network');
  const network = await createNetwork(request, name);
  await signIn(page, admin);
  await page.goto('/admin/secrets');
  await waitForHydration(page);

  const card = page.locator(`[data-testid="owner-keys"][data-owner="${network.id}"]`);
  await expect(card).toContainText(name);
  await card.getByTestId('overlap').selectOption('custom');
  await card.getByTestId('overlap-custom').fill('-5');
  await expect(card.getByTestId('rotate-key')).toBeDisabled();
  await expect(card.locator('.overlap .field-error')).toContainText('whole seconds');
  await card.getByTestId('overlap-custom').fill('600');
  await card.getByTestId('rotate-key').click();
  const newKey = (await card.getByTestId('secret-once').getByTestId('secret-value').textContent())!.trim();
  expect(newKey).toMatch(/^trk_/);
  await expect(card.locator('[data-testid="key-row"][data-state="overlap"]')).toHaveCount(1);
  await expect(card.locator('[data-testid="key-row"][data-state="active"]')).toHaveCount(1);

  await sendCpa(request, newKey, { external_identifier: publisher.id, amount: 330, lead_id: uniq('secrets') });
  await sendCpa(request, network.key, { external_identifier: publisher.id, amount: 330, lead_id: uniq('overlap') });

  // The filter narrows the owners shown: only this network (and no other network's card) stays.
  await page.getByTestId('secrets-filter').fill(name);
  await expect(card).toBeVisible();
  await expect(page.locator('[data-testid="owner-keys"]:visible')).toHaveCount(1);
  await screenshots(page, 'admin-secrets');
  await page.getByTestId('secrets-filter').fill('');
  await expect(page.locator('[data-testid="owner-keys"]:visible')).not.toHaveCount(1);
});

test("a publisher's postback secret is rotated after a confirmation and shown once", async ({ page, request }) => {
  const created = await adminApi(request, 'POST', '/api/admin/publishers', { name: uniq('Signed Publisher') });
  const settings = await adminApi(request, 'PUT', `/api/admin/publishers/${created.id}/postback`, { url_template: 'https://pub.example/cb?tx={tx_id}' });
  await signIn(page, admin);
  await page.goto('/admin/secrets');
  await waitForHydration(page);

  const card = page.locator(`[data-testid="postback-secret"][data-owner="${created.id}"]`);
  await expect(card).toContainText(settings.secret.slice(0, 10));
  await expect(page.locator('body')).not.toContainText(settings.secret);
  await card.getByTestId('rotate-postback-secret').click();
  await expect(card.getByTestId('confirm')).toContainText('signed with the new one');
  await card.getByTestId('confirm-yes').click();
  const fresh = (await card.getByTestId('secret-once').getByTestId('secret-value').textContent())!.trim();
  expect(fresh).toMatch(/^whsec_/);
  expect(fresh).not.toBe(settings.secret);
  await expect(card).toContainText(fresh.slice(0, 10));
});

test("an offerwall provider's secret is listed by its hint only, with the way to its screen", async ({ page, request }) => {
  const name = uniq('Secret Provider');
  const secret = `provider-secret-${uniq('s')}`;
  const provider = await adminApi(request, 'POST', '/api/admin/providers', { name, preset: 'medioot', secret });
  await signIn(page, admin);
  await page.goto('/admin/secrets');
  await waitForHydration(page);

  const card = page.locator(`[data-testid="provider-secret"][data-owner="${provider.id}"]`);
  await expect(card.getByTestId('provider-secret-hint')).toHaveText(provider.secret_hint);
  await expect(page.locator('body')).not.toContainText(secret);
  await page.getByTestId('secrets-filter').fill(name);
  await expect(page.locator('[data-testid="provider-secret"]:visible')).toHaveCount(1);
  await card.getByRole('link', { name }).click();
  await expect(page).toHaveURL(new RegExp(`/admin/providers/${provider.id}$`));
});
