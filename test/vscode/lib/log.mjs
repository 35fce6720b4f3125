// Step timing for the runners: every step says what it does and how long it took.
const t0 = Date.now();

export function since(start = t0) {
  return `${((Date.now() - start) / 1000).toFixed(1)}s`;
}

/** Prints `[name +total] message` lines. */
export function logger(name) {
  return (message) => console.log(`[${name} +${since()}] ${message}`);
}

/** Runs fn as a named step, printing its start and its duration (also when it throws). */
export async function step(say, what, fn) {
  const start = Date.now();
  say(`${what}...`);
  try {
    const result = await fn();
    say(`${what}: done in ${since(start)}`);
    return result;
  } catch (e) {
    say(`${what}: failed after ${since(start)}`);
    throw e;
  }
}
