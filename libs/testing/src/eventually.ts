/**
 * Waits for an asynchronous effect (an event crossing services, a delayed job) by polling a condition with a
 * deadline: synchronisation on the outcome itself, never a fixed sleep standing in for it.
 */
export async function eventually(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  await eventuallyValue(async () => ((await condition()) ? true : undefined), timeoutMs);
}

/** Like `eventually`, for a probe that returns the awaited value once it exists (undefined until then). */
export async function eventuallyValue<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25)); // poll interval
  }
}
