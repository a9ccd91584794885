// Providers in the admin dashboard: create a Medioot-style provider, copy its postback URL,
// then paste a callback whose signature was made with the wrong secret into the signature
// debugger and see which part differs; a correctly signed one (md5 made here) matches.
import { expect } from '@playwright/test';
import { createHash } from 'node:crypto';
import { admin, adminApi, screenshots, signIn, uniq, waitForHydration, test } from './support';

test.describe.configure({ mode: 'serial', timeout: 90_000 });

const USER = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

test('create a provider, copy its URL, and debug a bad signature', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signIn(page, admin);
  await page.goto('/admin/providers');
  await waitForHydration(page);

  const name = uniq('Medioot');
  const secret = 'medioot-ui-secret';
  await page.getByTestId('provider-name').fill(name);
  await page.getByTestId('provider-preset').selectOption('medioot');
  await page.getByTestId('provider-secret').fill(secret);
  await page.getByTestId('create-provider-submit').click();
  const created = page.getByTestId('provider-created');
  await expect(created).toContainText('is ready');
  await expect(page.locator(`[data-testid="provider-row"][data-name="${name}"]`)).toBeVisible();

  await page.getByTestId('open-provider').click();
  await expect(page).toHaveURL(/\/admin\/providers\/prv_[0-9a-f]+$/);
  await waitForHydration(page);
  const url = (await page.getByTestId('postback-url').textContent())!.trim();
  expect(url).toMatch(/\/api\/postback\/in\/prv_[0-9a-f]+\?subid=\{subid\}&transid=\{transid\}/);
  await page.getByTestId('copy-postback-url').click();
  await expect(page.getByTestId('copy-postback-url')).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

  const filled = (signature: string) =>
    url.replace('{subid}', USER).replace('{transid}', 'TX-1').replace('{reward}', '25').replace('{payout}', '0.40')
      .replace('{status}', '1').replace('{signature}', signature).replace(/\{[a-zA-Z_]+\}/g, '');

  // Signed with the wrong secret: the debugger says the secret (or a value) differs.
  const wrong = md5(`${USER}TX-125not-the-secret`);
  await page.getByTestId('check-url-input').fill(filled(wrong));
  await page.getByTestId('check-url-submit').click();
  const analysis = page.getByTestId('analysis');
  await expect(analysis).toHaveAttribute('data-matches', 'false');
  await expect(analysis).toHaveAttribute('data-differs', 'secret');
  await expect(page.getByTestId('received')).toHaveText(wrong);
  await expect(page.getByTestId('expected')).toHaveText(md5(`${USER}TX-125${secret}`));
  await expect(page.getByTestId('canonical')).toHaveText(`${USER}TX-125********`);
  await screenshots(page, 'admin-provider-debugger');

  // Signed right: it matches.
  await page.getByTestId('check-url-input').fill(filled(md5(`${USER}TX-125${secret}`)));
  await page.getByTestId('check-url-submit').click();
  await expect(analysis).toHaveAttribute('data-matches', 'true');
  await expect(page.getByTestId('explanation')).toHaveText('The signature matches.');
});

test('a provider call credits a reward user; its log entry replays as a dry run', async ({ page, request }) => {
  const { secret: rewardSecret } = await adminApi(request, 'POST', '/api/admin/reward-secrets', {});
  const registered = await request.post('/api/reward/users', {
    headers: { Authorization: `Bearer ${rewardSecret}` },
    data: { appId: 'com.e2e.providers', deviceId: uniq('device') },
  });
  const user = await registered.json();
  const secret = 'door-secret';
  const provider = await adminApi(request, 'POST', '/api/admin/providers', { name: uniq('Door'), preset: 'medioot', secret });
  await adminApi(request, 'POST', `/api/admin/providers/${provider.id}/ips`, { ip: '127.0.0.1' });
  const tx = uniq('tx');
  const query = new URLSearchParams({
    subid: user.id, transid: tx, reward: '12.5', payout: '0.40', status: '1', signature: md5(`${user.id}${tx}12.5${secret}`),
  });
  const answer = await request.get(`/api/postback/in/${provider.id}?${query}`);
  expect(answer.status()).toBe(200);
  expect(await answer.text()).toBe('OK');
  const again = await request.get(`/api/postback/in/${provider.id}?${query}`);
  expect(await again.text()).toBe('DUP');

  await signIn(page, admin);
  await page.goto('/admin/feed?source=provider');
  await waitForHydration(page);
  await page.locator(`[data-testid="feed-row"][data-lead="${tx}"] a`).click();
  await expect(page).toHaveURL(/\/admin\/conversions\/cnv_/);
  await waitForHydration(page);
  await expect(page.getByTestId('postback-log').locator('tbody tr')).toHaveCount(2);
  await page.getByTestId('replay').first().click();
  await expect(page.getByTestId('replay-result')).toContainText('duplicate');
  await expect(page.getByTestId('replay-result')).toContainText('would credit nothing');
});
