// The short forms of the same things that every surface shows (the CLI, the tree, QuickPicks, the panels), from one
// place so that they never disagree: Docker's 12-character short id, a container's label, the PID a process has in
// its own PID namespace. Pure and browser-safe: the webviews use it too.

/** Docker's short id: the first 12 hex digits, as `docker ps` prints it. */
export function shortId(id: string): string {
  return id.slice(0, 12);
}

/** A container as people name it: its name (without the API's leading slash), else its short id. */
export function containerLabel(c: { name: string; id: string }): string {
  return c.name.replace(/^\//, '') || shortId(c.id);
}

/** The PID inside the process's innermost PID namespace, when that is a nested one (NSpid has more than one). */
export function innerPid(nsPid: readonly number[]): number | null {
  return nsPid.length > 1 ? nsPid[nsPid.length - 1] : null;
}

/**
 * An SSH target as a user types it: `user@host:port`, an IPv6 address in brackets when a port follows, and the
 * port left out when it is ssh's default 22 (kept with `keepDefaultPort`, for messages about one connection).
 */
export function sshAddress(
  t: { user?: string | null | undefined; host: string; port?: number | null | undefined },
  options: { keepDefaultPort?: boolean } = {},
): string {
  const port = t.port ?? null;
  const showPort = port !== null && (port !== 22 || options.keepDefaultPort === true);
  const host = showPort && t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${t.user ? `${t.user}@` : ''}${host}${showPort ? `:${port}` : ''}`;
}
