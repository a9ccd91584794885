// Admin reports: postbacks sent by the test are counted by day in a chosen time zone and by
// country, the charts and totals agree, and both CSV exports download with progress and the
// right rows (formula cells neutralised).
import { expect } from '@playwright/test';
import { admin, createNetwork, publisher, screenshots, sendCpa, signIn, uniq, waitForHydration, test } from './support';
import { exportCsv, todayIn } from './report-support';

const ZONE = 'Pacific/Auckland';

test('admin reports by day in a time zone and by country, and exports them as CSV', async ({ page, request }) => {
  const network = await createNetwork(request, uniq('Report Network'));
  const offer = uniq('Report offer');
  await sendCpa(request, network.key, { external_identifier: publisher.id, amount: 250, country_code: 'NZ', offer_name: offer, lead_id: uniq('nz1') });
  await sendCpa(request, network.key, { external_identifier: publisher.id, amount: 250, country_code: 'NZ', offer_name: offer, lead_id: uniq('nz2') });
  await sendCpa(request, network.key, { external_identifier: publisher.id, amount: 100, country_code: 'IS', offer_name: '=HYPERLINK("http://evil.example")', lead_id: uniq('is') });

  await signIn(page, admin);
  await page.goto('/admin/reports');
  await waitForHydration(page);
  await page.getByTestId('report-tz').selectOption(ZONE);
  await page.getByTestId('report-network').selectOption(network.id);
  await expect(page.getByTestId('report-summary')).toContainText(ZONE);

  // By day (the default): today in Auckland holds all three, and the totals agree.
  const today = page.locator(`[data-testid="report-row"][data-key="${todayIn(ZONE)}"]`);
  await expect(today.locator('[data-col="conversions"]')).toHaveText('3');
  await expect(today.locator('[data-col="credited"]')).toHaveText('3');
  await expect(today.locator('[data-col="payout"]')).toHaveText('$6.00');
  await expect(page.getByTestId('report-totals')).toContainText('$6.00');
  await expect(page.getByTestId('report-chart-conversions')).toHaveAttribute('data-total', '3');
  await expect(page.getByTestId('report-chart-payouts')).toHaveAttribute('data-total', '600');
  await expect(page.locator('[data-testid="report-row"]')).toHaveCount(30);
  await screenshots(page, 'admin-reports');

  // By country.
  await page.getByTestId('report-group').selectOption('country');
  await expect(page.locator('[data-testid="report-row"]')).toHaveCount(2);
  await expect(page.locator('[data-testid="report-row"][data-key="NZ"] [data-col="conversions"]')).toHaveText('2');
  await expect(page.locator('[data-testid="report-row"][data-key="IS"] [data-col="payout"]')).toHaveText('$1.00');
  await screenshots(page, 'admin-reports-country');

  // The report as CSV: downloaded through the page, with progress.
  const { lines: report, name } = await exportCsv(page, 'export-report');
  expect(name).toMatch(/^taprain-report-country-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv$/);
  await expect(page.getByTestId('export-report-status')).toContainText('Saved 2 rows');
  expect(report[0]).toBe('country,label,conversions,credited,held,reversed,payout,payout_cents');
  expect(report.slice(1).sort()).toEqual(['IS,IS,1,1,0,0,$1.00,100', 'NZ,NZ,2,2,0,0,$5.00,500']);

  // The conversions behind it: every row, the formula cell made text.
  const { lines: conversions } = await exportCsv(page, 'export-conversions');
  await expect(page.getByTestId('export-conversions-status')).toContainText('Saved 3 rows');
  expect(conversions[0]).toContain('id,time,status,source,network_id,publisher_id');
  expect(conversions).toHaveLength(4);
  expect(conversions.filter((l) => l.includes(offer))).toHaveLength(2);
  const hostile = conversions.find((l) => l.includes('HYPERLINK'));
  expect(hostile).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
  expect(conversions.every((l, i) => i === 0 || l.includes(network.id))).toBe(true);
});

test('a bad range is refused with a message next to the report', async ({ page }) => {
  await signIn(page, admin);
  await page.goto('/admin/reports?from=2025-03-10&to=2025-03-01');
  await waitForHydration(page);
  await expect(page.getByTestId('report-error')).toContainText('the first day must not be after the last day');
});
