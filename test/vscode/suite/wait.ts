// Waiting for what a user would wait for: a tree or a panel that shows the expected data after a refresh.

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Retries `check` (which throws while not yet true) until it passes; then returns its value. */
export async function eventually<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) throw new Error(`${what}: still not so after ${timeoutMs} ms: ${messageOf(last)}`);
    await sleep(intervalMs);
  }
}
