// Waits shared by the connection, the remote readers' start and the Docker socket probe.

/** The SSH handshake (unless ConnectTimeout or readyTimeoutMs says otherwise), a reader's greeting, a probe. */
export const DEFAULT_READY_TIMEOUT_MS = 10_000;
