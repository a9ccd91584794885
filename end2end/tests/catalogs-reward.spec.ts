// The reward catalogs as an admin uses them: register a store app and a reward game, see a
// level postback (sent with a reward secret made through the admin API, for a user the reward
// app registered) credit coins to the user in the reward users screen and their details, then
// deactivate the game and see the next postback refused like an unknown game.
import { expect, type APIRequestContext } from '@playwright/test';
import { admin, adminApi, screenshots, signIn, uniq, waitForHydration, test } from './support';

async function levelPostback(request: APIRequestContext, secret: string, body: Record<string, unknown>) {
  return request.post('/api/postback', { headers: { Authorization: `Bearer ${secret}` }, data: body });
}

test('reward apps: register a store app and a game, credit a user, deactivate the game', async ({ page, request }) => {
  const { secret } = await adminApi(request, 'POST', '/api/admin/reward-secrets', {});
  const registered = await request.post('/api/reward/users', {
    headers: { Authorization: `Bearer ${secret}` },
    data: { appId: 'com.e2e.rewards', deviceId: uniq('pixel') },
  });
  expect(registered.status()).toBe(201);
  const user = await registered.json();
  const pid = uniq('e2e_app');
  const gid = uniq('e2e_game');

  await signIn(page, admin);
  await page.goto('/admin/reward');
  await waitForHydration(page);

  // A store app; registering the same pid again is named at the field.
  await page.getByTestId('app-id').fill(pid);
  await page.getByTestId('app-name').fill('E2E Rewards');
  await page.getByTestId('app-register').click();
  await expect(page.getByTestId('store-app-notice')).toContainText(`Registered E2E Rewards (${pid})`);
  await expect(page.locator(`[data-testid="store-app-row"][data-id="${pid}"]`)).toBeVisible();
  await page.getByTestId('app-id').fill(pid);
  await page.getByTestId('app-name').fill('Again');
  await page.getByTestId('app-register').click();
  await expect(page.getByTestId('store-apps').getByTestId('error-id')).toContainText('already exists');

  await page.getByTestId('game-id').fill(gid);
  await page.getByTestId('game-name').fill('');
  await page.getByTestId('game-register').click();
  await expect(page.getByTestId('game-form').getByTestId('error-name')).toContainText(/name/i);
  await page.getByTestId('game-name').fill('E2E Dragons');
  await page.getByTestId('game-register').click();
  const gameRow = page.locator(`[data-testid="game-row"][data-id="${gid}"]`);
  await expect(gameRow).toBeVisible();

  // A milestone level credits 25 coins.
  const credited = await levelPostback(request, secret, { pid, uid: user.id, gid, level_number: 5 });
  expect(credited.status(), await credited.text()).toBe(200);
  expect((await credited.json()).coinDelta).toBe(25);
  expect((await levelPostback(request, secret, { pid, uid: user.id, gid, level: 6 })).status()).toBe(200);

  await page.reload();
  await waitForHydration(page);
  await page.getByTestId('user-search').fill(user.id.slice(0, 13).toUpperCase());
  const userRow = page.locator(`[data-testid="user-row"][data-id="${user.id}"]`);
  await expect(userRow.getByTestId('user-coins')).toHaveText('25');
  await expect(page.locator('[data-testid="user-row"]')).toHaveCount(1);
  await screenshots(page, 'admin-reward');

  await userRow.getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/admin/reward/users/${user.id}$`));
  await waitForHydration(page);
  await expect(page.getByTestId('reward-user-coins')).toHaveText('25');
  await expect(page.locator('[data-testid="user-postback"]')).toHaveCount(2);
  await expect(page.locator('[data-testid="user-postback"][data-level="5"]')).toContainText('+25');
  await screenshots(page, 'admin-reward-user');

  // Deactivate the game: its postbacks get the unknown-game answer.
  await page.goto('/admin/reward');
  await waitForHydration(page);
  await page.getByTestId('game-search').fill(gid);
  await gameRow.getByTestId('deactivate').click();
  await gameRow.getByTestId('confirm-yes').click();
  await expect(gameRow.locator('[data-status]')).toHaveText('inactive');
  const refused = await levelPostback(request, secret, { pid, uid: user.id, gid, level_number: 10 });
  const unknown = await levelPostback(request, secret, { pid, uid: user.id, gid: 'no-such-game', level_number: 10 });
  expect(refused.status()).toBe(400);
  expect(await refused.json()).toEqual(await unknown.json());

  // Reactivated, it counts again.
  await gameRow.getByTestId('activate').click();
  await expect(gameRow.locator('[data-status]')).toHaveText('active');
  expect((await levelPostback(request, secret, { pid, uid: user.id, gid, level_number: 10 })).status()).toBe(200);
});
