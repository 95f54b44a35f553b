/** Waiting for something a test caused to happen, with a generous bound: a busy machine is slow, not wrong. */

type Probe<T> = () => T | null | undefined | false | Promise<T | null | undefined | false>;

/**
 * What `probe` answers once it answers something truthy (it may be async); throws naming `what`
 * when it has not after `ms`. How soon things happen is `npm run bench`'s to measure, not this.
 */
export async function until<T>(probe: Probe<T>, what = 'the condition', ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
