// Waits until the server answers /healthz (up to 120 s) so the tests never race its start.
const TIMEOUT_MS = 120_000;
const INTERVAL_MS = 500;

export default async function globalSetup(): Promise<void> {
  const base = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
  const url = new URL('/healthz', base).toString();
  const deadline = Date.now() + TIMEOUT_MS;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return;
      lastError = `HTTP ${response.status}`;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  }
  throw new Error(`${url} did not answer within ${TIMEOUT_MS / 1000} s (${lastError})`);
}
