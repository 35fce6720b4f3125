// The session's own deadline on a collection: a sample that has not answered by then is stuck, and the session
// drops the connection. Its own error class, so the session tells its deadline from a transport's timeout.
import { MonitorError } from '../errors';

/** The session's own deadline passed (a transport's own timeout has already ended its stuck read itself). */
export class DeadlineError extends MonitorError {
  constructor(message: string) {
    super(message, 'timeout');
  }
}

/** A collection that has not answered by then is stuck, not slow: sample() raced against it. */
export function withDeadline<T>(work: Promise<T>, ms: number, label: string): Promise<T> {
  if (!(ms > 0) || !Number.isFinite(ms)) return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DeadlineError(`${label} did not answer within ${Math.round(ms / 100) / 10} s`)),
      ms,
    );
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
