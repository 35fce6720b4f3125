// `docker-monitor serve`: one TargetFeed per target, each refreshing on its own timer over its one connection, and
// an HTTP(S) server whose /metrics renders the feeds' latest refreshes (a scrape never collects: ten scrapers
// cost no more than one). Runs until SIGINT/SIGTERM.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Collector } from '../core/collect/collector';
import { MonitorError } from '../core/errors';
import { CONTENT_TYPE, negotiate } from '../core/openmetrics/exposition';
import { scrapeText } from '../core/openmetrics/scrape';
import { TargetFeed } from '../core/openmetrics/targetFeed';
import { defaultAlertSettings } from '../core/alerts/settings';
import type { TargetDefinition } from '../core/targets/settings/targetConfig';
import { servePage } from './servePage';
import type { ServeOptions } from './serveArgs';
import { openTarget } from '../core/targets/settings/openTarget';
import { sanitizeForTerminal } from './sanitize';
import { StopSignal } from './watch';
import type { WatchIo } from './watch';

const STARTED_S = Date.now() / 1000;

/** A secret file as OpenSSH treats a private key: refused when others may read it; its first line is the secret. */
function readSecretFile(path: string, what: string): string {
  let text: string;
  try {
    const st = statSync(path);
    if ((st.mode & 0o077) !== 0)
      throw new MonitorError(
        `${what} ${path} is readable by others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 it`,
        'bad-argument',
      );
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof MonitorError) throw e;
    throw new MonitorError(
      `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      'bad-argument',
    );
  }
  const secret = text.split(/\r?\n/)[0]?.trim() ?? '';
  if (secret === '') throw new MonitorError(`${what} ${path} is empty`, 'bad-argument');
  return secret;
}

/** Compares in constant time (digests of equal length), so a wrong guess says nothing about how wrong. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The Authorization header this server wants, or null for none. */
function expectedAuthorization(o: ServeOptions): string | null {
  if (o.bearerTokenFile) return `Bearer ${readSecretFile(o.bearerTokenFile, 'bearer token file')}`;
  if (o.basicAuthFile) {
    const pair = readSecretFile(o.basicAuthFile, 'basic auth file');
    if (!pair.includes(':'))
      throw new MonitorError(`basic auth file ${o.basicAuthFile}: want "user:password"`, 'bad-argument');
    return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
  }
  return null;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new MonitorError(
      `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      'bad-argument',
    );
  }
}

export async function serve(
  options: ServeOptions,
  io: WatchIo & { env?: Record<string, string | undefined> },
  defs: TargetDefinition[],
): Promise<number> {
  const debug = io.env?.DOCKER_MONITOR_DEBUG === '1';
  const log = (line: string, level: 'info' | 'warn' = 'info') =>
    io.stderr(`docker-monitor serve: ${level === 'warn' ? 'warning: ' : ''}${sanitizeForTerminal(line)}\n`);
  // A server runs for weeks: each refresh's line only with DOCKER_MONITOR_DEBUG=1; connections and failures always.
  const sessionLog = (line: string, level: 'info' | 'warn' = 'info') => {
    if (debug || level === 'warn' || /\b(connected|connecting|reconnect|closing)/.test(line)) log(line, level);
  };
  const auth = expectedAuthorization(options);
  const tls =
    options.tlsCert && options.tlsKey
      ? { cert: readPem(options.tlsCert, 'TLS certificate'), key: readPem(options.tlsKey, 'TLS key') }
      : null;

  const feeds = defs.map(
    (def) =>
      new TargetFeed({
        name: def.name,
        open: () =>
          openTarget(def, { acceptNewHostKey: options.acceptNewHostKey, log: (l) => sessionLog(`${def.name}: ${l}`) }),
        createSource: (transport, l) => new Collector(transport, { log: l }),
        intervalMs: options.intervalSeconds * 1000,
        processes: options.processes > 0,
        alerts: defaultAlertSettings(),
        log: sessionLog,
      }),
  );

  const route = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' })
        .end('method not allowed\n');
      return;
    }
    if (auth !== null && !sameSecret(req.headers.authorization ?? '', auth)) {
      const scheme = auth.startsWith('Basic') ? 'Basic realm="docker-monitor"' : 'Bearer';
      res
        .writeHead(401, { 'WWW-Authenticate': scheme, 'Content-Type': 'text/plain; charset=utf-8' })
        .end('unauthorized\n');
      return;
    }
    const served = feeds.map((f) => f.served());
    if (path === '/metrics') {
      const format = negotiate(req.headers.accept);
      const cpu = process.cpuUsage();
      const body = scrapeText(
        served,
        {
          processes: options.processes,
          self: {
            cpuSeconds: (cpu.user + cpu.system) / 1e6,
            residentBytes: process.memoryUsage.rss(),
            startTimeSeconds: STARTED_S,
          },
        },
        format,
      );
      res.writeHead(200, { 'Content-Type': CONTENT_TYPE[format], 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    } else if (path === '/') {
      const body = servePage(served, options.intervalSeconds);
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found: try /metrics\n');
    }
  };
  // A request that fails is a 500 and a line on stderr: the server goes on serving the others.
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    try {
      route(req, res);
    } catch (e) {
      log(`request ${req.method} ${req.url ?? ''} failed: ${e instanceof Error ? e.message : String(e)}`, 'warn');
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('internal error\n');
    }
  };
  let server: Server;
  try {
    server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  } catch (e) {
    // A certificate or key that is not PEM, or a key that does not go with the certificate.
    throw new MonitorError(`--tls-cert/--tls-key: ${e instanceof Error ? e.message : String(e)}`, 'bad-argument');
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new MonitorError(`cannot listen on ${options.host}:${options.port}: ${e.code ?? e.message}`, 'unreachable'),
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  server.on('error', (e: Error) => log(`server: ${e.message}`, 'warn'));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
  log(`serving http${tls ? 's' : ''}://${shown}:${port}/metrics for ${defs.map((d) => d.name).join(', ')}`);
  for (const f of feeds) f.start();

  const stop = new StopSignal(io);
  await stop.stopped;
  stop.dispose();
  log('stopping');
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await Promise.all(feeds.map((f) => f.stop().catch(() => undefined)));
  return 0;
}
