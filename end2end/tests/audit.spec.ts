// The audit log: changes made through the admin API and in the dashboard are listed newest
// first with who made them; filtering by action, target and dates narrows the list.
import { expect } from '@playwright/test';
import { admin, adminApi, screenshots, signIn, uniq, waitForHydration, test } from './support';

test('the audit log lists changes and filters by action, target and date', async ({ page, request }) => {
  const pid = uniq('audit_app');
  await adminApi(request, 'POST', '/api/admin/store-apps', { pid, name: 'Audited app' });
  await adminApi(request, 'PATCH', `/api/admin/store-apps/${pid}`, { active: false });

  await signIn(page, admin);
  await page.goto('/admin/audit');
  await waitForHydration(page);
  const rows = page.locator('[data-testid="audit-row"]');
  await expect(rows.first()).toHaveAttribute('data-action', 'store_app.deactivate');
  await expect(rows.first().getByTestId('audit-target')).toHaveText(pid);
  await expect(rows.first().getByTestId('audit-actor')).toHaveText(admin.email);
  await expect(rows.first()).toContainText('admin API');

  await page.getByTestId('filter-action').selectOption('store_app.create');
  await expect(rows.first()).toHaveAttribute('data-action', 'store_app.create');
  for (const action of await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-action')))) {
    expect(action).toBe('store_app.create');
  }
  await page.getByTestId('filter-target').fill(pid);
  await expect(rows).toHaveCount(1);
  await page.getByTestId('filter-action').selectOption('');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toHaveAttribute('data-action', 'store_app.deactivate');
  await expect(rows.nth(1)).toHaveAttribute('data-action', 'store_app.create');

  // Dates are UTC days; a range in the future is empty, an inverted one is named at "To".
  const today = new Date().toISOString().slice(0, 10);
  await page.getByTestId('filter-from').fill(today);
  await page.getByTestId('filter-to').fill(today);
  await expect(rows).toHaveCount(2);
  await page.getByTestId('filter-from').fill('2099-01-02');
  await page.getByTestId('filter-to').fill('2099-01-01');
  await expect(page.getByTestId('error-to')).toContainText('before');
  await page.getByTestId('filter-to').fill('2099-01-03');
  await expect(page.getByTestId('error-to')).toBeEmpty();
  await expect(page.getByTestId('list-empty')).toContainText('Nothing matches');

  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(rows.first()).toBeVisible();
  await screenshots(page, 'admin-audit');
});
