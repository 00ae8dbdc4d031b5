/** Waiting in tests: for a state to be reached, never for a fixed time. */

/**
 * Polls `check()` every 100 ms until it returns a truthy value (returned), or throws naming `what` after `ms`.
 * @template T
 * @param {() => T | Promise<T>} check
 * @param {string} what
 * @param {number} [ms]
 * @returns {Promise<T>}
 */
export async function until(check, what, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * How long `check()` takes to become truthy from now: the positive control of a "nothing happened" wait, timed
 * on the thing happening where it should.
 * @param {() => unknown} check
 * @param {string} what
 * @param {number} [ms]
 */
export async function timeUntil(check, what, ms) {
  const started = performance.now();
  await until(check, what, ms);
  return Math.round(performance.now() - started);
}

/**
 * A "nothing happened in `windowMs`" assertion proves something only if the thing, when it does happen, shows well
 * within the window: its positive control (`controlMs`, from `timeUntil`) must take at most half of it.
 * @param {number} windowMs
 * @param {number} controlMs
 * @param {string} what
 */
export function assertWindowLongEnough(windowMs, controlMs, what) {
  // SITEMIRROR_SHOW_CONTROLS=1 prints the margins, to see how close a machine comes to the limit.
  if (process.env.SITEMIRROR_SHOW_CONTROLS) console.error(`control ${what}: ${controlMs} ms of ${windowMs}`);
  if (2 * controlMs > windowMs) {
    throw new Error(`${what}: the positive control took ${controlMs} ms, so a quiet ${windowMs} ms window proves nothing`);
  }
}

/** A quiet window: only ever paired with a positive control (`timeUntil` + `assertWindowLongEnough`). */
export const quiet = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
