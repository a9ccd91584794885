// Publishers and programs in the admin dashboard: create each through the UI with field-level
// messages for wrong input, give a publisher a login and sign in with it, deactivate it (then
// it cannot sign in), create a program (API key shown once) and a coupon, and use both.
import { expect, type Page } from '@playwright/test';
import { admin, publisher, screenshots, signIn, uniq, waitForHydration, test } from './support';

// Each flow walks a whole screen (and screenshots it at two widths): more than the default 30 s.
test.describe.configure({ mode: 'serial', timeout: 90_000 });

async function tryPublisherSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.context().clearCookies();
  await page.goto('/login');
  await waitForHydration(page);
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('a publisher is created with a login, signs in, and cannot once deactivated', async ({ page }) => {
  await signIn(page, admin);
  await page.goto('/admin/publishers');
  await waitForHydration(page);

  const name = uniq('UI Publisher');
  await page.getByTestId('publisher-name').fill(name);
  await page.getByTestId('publisher-email').fill('not-an-email');
  await page.getByTestId('create-publisher-submit').click();
  await expect(page.getByTestId('error-email')).not.toBeEmpty();
  await expect(page.getByTestId('publisher-email')).toHaveAttribute('aria-invalid', 'true');
  await page.getByTestId('publisher-email').fill('billing@ui-publisher.example');
  await page.getByTestId('publisher-id').fill('XYZ');
  await page.getByTestId('create-publisher-submit').click();
  await expect(page.getByTestId('error-id')).not.toBeEmpty();
  await page.getByTestId('publisher-id').fill('');
  await page.getByTestId('create-publisher-submit').click();
  await expect(page.getByTestId('publisher-created')).toContainText(name);
  await expect(page.getByTestId('error-email')).toBeEmpty();
  await expect(page.locator(`[data-testid="publisher-row"][data-name="${name}"]`)).toContainText('$0.00');
  await page.getByTestId('list-search').fill('zzz-nobody-matches');
  await expect(page.getByTestId('list-empty')).toBeVisible();
  await page.getByTestId('list-search').fill('');
  await screenshots(page, 'admin-publishers');

  await page.getByTestId('open-publisher').click();
  await expect(page).toHaveURL(/\/admin\/publishers\/[0-9a-f]{24}$/);
  await waitForHydration(page);
  await expect(page.getByTestId('publisher-heading')).toHaveText(name);
  await expect(page.getByTestId('stat-balance')).toContainText('$0.00');
  await expect(page.getByTestId('logins-empty')).toBeVisible();

  const email = `${uniq('login')}@ui-publisher.example`;
  const password = 'a long publisher password';
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill('short');
  await page.getByTestId('create-login-submit').click();
  await expect(page.getByTestId('error-password')).not.toBeEmpty();
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('create-login-submit').click();
  await expect(page.getByTestId('login-row')).toContainText(email);
  await expect(page.getByTestId('login-created')).toContainText('can sign in now');
  await screenshots(page, 'admin-publisher');
  const detailUrl = page.url();

  // The new login reaches the portal.
  await tryPublisherSignIn(page, email, password);
  await expect(page).toHaveURL(/\/portal$/);

  // Deactivated: the login is refused.
  await page.context().clearCookies();
  await signIn(page, admin);
  await page.goto(detailUrl);
  await waitForHydration(page);
  await page.getByTestId('toggle-active').click();
  await page.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('inactive-note')).toBeVisible();
  await expect(page.getByTestId('login-row')).toContainText('inactive');
  await tryPublisherSignIn(page, email, password);
  await expect(page.getByTestId('login-error')).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);

  // Reactivated: it works again.
  await signIn(page, admin);
  await page.goto(detailUrl);
  await waitForHydration(page);
  await page.getByTestId('toggle-active').click();
  await page.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('inactive-note')).toHaveCount(0);
  await tryPublisherSignIn(page, email, password);
  await expect(page).toHaveURL(/\/portal$/);
});

test('a program is created with its API key shown once, gets a coupon, and the coupon earns', async ({ page, request }) => {
  await signIn(page, admin);
  await page.goto('/admin/programs');
  await waitForHydration(page);

  const name = uniq('UI Program');
  await page.getByTestId('program-name').fill(name);
  await page.getByTestId('commission-value').fill('150');
  await page.getByTestId('create-program-submit').click();
  await expect(page.getByTestId('error-commission_percent')).not.toBeEmpty();
  await page.getByTestId('program-currency').fill('XX');
  await page.getByTestId('commission-value').fill('12.5');
  await page.getByTestId('create-program-submit').click();
  await expect(page.getByTestId('error-currency')).not.toBeEmpty();
  await page.getByTestId('program-currency').fill('USD');
  await page.getByTestId('create-program-submit').click();

  const panel = page.getByTestId('secret-once');
  await expect(panel).toContainText('you will not see this again');
  const apiKey = (await panel.getByTestId('secret-value').textContent())!.trim();
  expect(apiKey).toMatch(/^tap_/);
  await expect(page.locator(`[data-testid="program-row"][data-name="${name}"]`)).toContainText('12.5 % of the amount');
  await screenshots(page, 'admin-programs');

  await page.getByTestId('open-program').click();
  await expect(page).toHaveURL(/\/admin\/programs\/prg_/);
  await waitForHydration(page);
  await expect(page.getByTestId('program-heading')).toHaveText(name);
  await expect(page.locator('body')).not.toContainText(apiKey);

  // A coupon for the run's publisher; the publisher must be chosen.
  const coupon = uniq('SAVE').toUpperCase();
  await page.getByTestId('handle-kind').selectOption('coupon');
  await page.getByTestId('handle-code').fill(coupon);
  await page.getByTestId('add-handle-submit').click();
  await expect(page.getByTestId('error-publisher_id')).not.toBeEmpty();
  await page.getByTestId('handle-publisher').selectOption(publisher.id);
  await page.getByTestId('add-handle-submit').click();
  await expect(page.locator('[data-testid="handle-row"][data-kind="coupon"]')).toContainText(coupon.toLowerCase());
  // The same coupon twice is refused next to the code.
  await page.getByTestId('handle-publisher').selectOption(publisher.id);
  await page.getByTestId('handle-code').fill(coupon);
  await page.getByTestId('add-handle-submit').click();
  await expect(page.getByTestId('error-code')).toContainText('already exists');

  // The merchant reports a sale with the coupon: 12.5 % of 80.00 is credited.
  const sale = await request.post('/api/v1/conversions', {
    data: { coupon, amount: '80.00', external_id: uniq('order') },
    headers: { 'X-Api-Key': apiKey },
  });
  expect(sale.status(), await sale.text()).toBe(201);

  // Switch to a fixed commission; a wrong value is named next to the field.
  await page.locator('#edit-commission-kind').selectOption('cents');
  await page.locator('#edit-commission-value').fill('2.5');
  await page.getByTestId('edit-program-submit').click();
  await expect(page.locator('[data-testid="edit-program"] [data-testid="error-commission_cents"]')).toContainText('whole number of cents');
  await page.locator('#edit-commission-value').fill('250');
  await page.getByTestId('edit-program-submit').click();
  await expect(page.getByTestId('program-commission')).toHaveText('2.50 USD per conversion');
  await screenshots(page, 'admin-program');

  // Removing the coupon asks first; afterwards a sale with it is attributed to nobody.
  const couponRow = page.locator('[data-testid="handle-row"][data-kind="coupon"]');
  await couponRow.getByTestId('remove-handle').click();
  await couponRow.getByTestId('confirm-yes').click();
  await expect(couponRow).toHaveCount(0);
  const orphan = await request.post('/api/v1/conversions', {
    data: { coupon, amount: '80.00', external_id: uniq('order') },
    headers: { 'X-Api-Key': apiKey },
  });
  expect(orphan.status(), await orphan.text()).toBe(422);

  // Deactivated: its key is refused.
  await page.getByTestId('toggle-active').click();
  await page.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('inactive-note')).toBeVisible();
  const refused = await request.post('/api/v1/conversions', {
    data: { coupon, amount: '80.00', external_id: uniq('order') },
    headers: { 'X-Api-Key': apiKey },
  });
  expect(refused.status()).toBe(401);
  await page.getByTestId('toggle-active').click();
  await page.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('inactive-note')).toHaveCount(0);
});
