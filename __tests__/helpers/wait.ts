// The one polling wait of the suites: bounded, so a condition that never holds fails the test with a
// message saying what was awaited, instead of hanging until jest's own timeout.

/** Polls `check` every `everyMs` until it holds; throws after `ms`, naming `what` was awaited. */
export async function waitFor(what: string, check: () => boolean, ms = 5_000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, everyMs));
  }
}
