// Bounds on what the daemon may send.

/** A reply body, or one event of the stream: larger is refused, not buffered. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
