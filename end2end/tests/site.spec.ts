// The site as a user meets it: the sign-in page, its /pkg bundle, a hydrated page, and the API
// docs page. CI runs this file twice: against the debug server with TAPRAIN_SITE_ROOT, and
// against the binary alone in an empty folder (`end2end/run.sh <bin> --embedded`), where every
// file comes from the copy compiled into the binary.
import { expect } from '@playwright/test';
import { admin, signIn, waitForHydration, test } from './support';

test('the sign-in page, its bundle and a hydrated page', async ({ page, request }) => {
  const login = await request.get('/login');
  expect(login.status()).toBe(200);
  const html = await login.text();
  expect(html).toContain('/pkg/taprain.js');
  // cargo-leptos names the bundle's wasm after the build (`taprain.wasm`, or `taprain_bg.wasm`
  // with wasm-bindgen's default): take the name the page itself preloads.
  const wasm = html.match(/\/pkg\/[\w.-]+\.wasm/)?.[0];
  expect(wasm, 'the page preloads its wasm bundle').toBeTruthy();

  for (const [file, type] of [
    ['/pkg/taprain.js', 'javascript'],
    [wasm!, 'application/wasm'],
    ['/pkg/taprain.css', 'text/css'],
    ['/favicon.svg', 'image/svg+xml'],
  ]) {
    const response = await request.get(file);
    expect(response.status(), file).toBe(200);
    expect(response.headers()['content-type'], file).toContain(type);
    expect((await response.body()).length, file).toBeGreaterThan(100);
    const etag = response.headers()['etag'];
    if (etag) {
      const again = await request.get(file, { headers: { 'If-None-Match': etag } });
      expect(again.status(), `${file} with its ETag`).toBe(304);
    }
  }
  expect((await request.get('/pkg/no-such-file.js')).status()).toBe(404);

  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await signIn(page, admin);
  await page.goto('/admin');
  await waitForHydration(page);
  // A click handled by the hydrated page: the Refresh button refetches without a reload.
  await page.getByTestId('refresh').click();
  await expect(page.getByTestId('refresh-count')).toContainText('Refreshed 1 time');
  expect(errors).toEqual([]);
});

test('/api/docs shows the OpenAPI document in the bundled Swagger UI', async ({ page }) => {
  const violations: string[] = [];
  const outside: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!['127.0.0.1', 'localhost'].includes(url.hostname) && url.protocol.startsWith('http')) outside.push(request.url());
  });
  await signIn(page, admin);
  await page.goto('/admin');
  await waitForHydration(page);
  const link = page.getByTestId('api-docs-link');
  await expect(link).toHaveAttribute('href', '/api/docs');
  const [response] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === '/api/docs'), link.click()]);
  expect(response.status()).toBe(200);
  const csp = response.headers()['content-security-policy'];
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-eval');

  await expect(page.locator('.swagger-ui .info .title')).toContainText('TapRain admin API', { timeout: 15_000 });
  // Operations from the admin API and the machine doors are listed.
  await expect(page.locator('.opblock-summary-path[data-path="/api/postback/cpa"]')).toBeVisible();
  await expect(page.locator('.opblock-summary-path[data-path="/api/admin/networks"]').first()).toBeVisible();
  // An operation opens with its parameters.
  await page.locator('.opblock-summary-path[data-path="/api/admin/audit"]').first().click();
  await expect(page.locator('.parameters-container')).toContainText('action');
  await expect(page.locator('.parameters-container')).toContainText('(query)');
  expect(violations).toEqual([]);
  expect(outside).toEqual([]);
});
