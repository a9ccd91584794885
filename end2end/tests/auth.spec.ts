// Sign-in, sign-out and role separation, driven through a real browser against a real server.
// Every test gets a fresh browser context (Playwright's default `page` fixture), so no cookie
// leaks from one story into the next.
import { expect, type Page } from '@playwright/test';
import { test } from './support';
import path from 'node:path';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set (end2end/run.sh sets it)`);
  return value;
}

const admin = { email: env('E2E_ADMIN_EMAIL'), password: env('E2E_ADMIN_PASSWORD') };
const publisher = { email: env('E2E_PUBLISHER_EMAIL'), password: env('E2E_PUBLISHER_PASSWORD') };

const SCREENSHOTS = path.join(__dirname, '..', '..', 'docs', 'screenshots');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 812 };

/** The page is hydrated once the live badge, which only an Effect can set, reads "Live". */
async function waitForHydration(page: Page): Promise<void> {
  await expect(page.getByTestId('live-status')).toHaveText('Live');
}

async function signIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.goto('/login');
  await waitForHydration(page);
  await page.locator('#email').fill(who.email);
  await page.locator('#password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Screenshots of the current page at desktop and phone size, for docs/screenshots. */
async function screenshots(page: Page, name: string): Promise<void> {
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    await page.setViewportSize(viewport);
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${size}.png`) });
  }
  await page.setViewportSize(DESKTOP);
}

test('admin signs in, uses the hydrated dashboard, and signs out', async ({ page }) => {
  await page.goto('/login');
  await waitForHydration(page);
  await screenshots(page, 'login');

  await signIn(page, admin);
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await expect(page.getByTestId('count-networks')).toHaveText(/^\d+$/);
  await expect(page.getByTestId('count-publishers')).toHaveText(/^\d+$/);

  await waitForHydration(page);
  await page.getByTestId('refresh').click();
  await expect(page.getByTestId('refresh-count')).toContainText('Refreshed 1 time');
  await expect(page.getByTestId('count-publishers')).toHaveText(/^\d+$/);
  await screenshots(page, 'admin');

  await page.getByTestId('sign-out').click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.locator('#email')).toBeVisible();

  await page.goto('/admin');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Overview' })).toHaveCount(0);
});

test('a wrong password is refused and the page stays on /login', async ({ page }) => {
  await signIn(page, { email: admin.email, password: `${admin.password}-wrong` });
  await expect(page.getByTestId('login-error')).toContainText('Invalid email or password');
  await expect(page).toHaveURL(/\/login$/);
});

test('a publisher lands on the portal and cannot reach the admin side', async ({ page }) => {
  await signIn(page, publisher);
  await expect(page).toHaveURL(/\/portal$/);
  await expect(page.getByTestId('balance')).toBeVisible();
  await waitForHydration(page);
  await screenshots(page, 'portal');

  await page.goto('/admin');
  await expect(page).toHaveURL(/\/portal$/);
  await expect(page.getByRole('heading', { name: 'Overview' })).toHaveCount(0);
  await expect(page.getByTestId('balance')).toBeVisible();

  const status = await page.evaluate(async () => {
    const response = await fetch('/api/admin/networks', { credentials: 'same-origin' });
    return response.status;
  });
  expect(status).toBe(403);
});

test('pages carry the security headers', async ({ page }) => {
  const response = await page.goto('/login');
  expect(response).not.toBeNull();
  const headers = await response!.allHeaders();
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['content-security-policy']).toContain('nonce-');
});
