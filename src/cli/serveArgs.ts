// `docker-monitor serve`'s options, checked before anything listens or connects. Safe by default: it binds the
// loopback address; any other address needs --allow-remote and then a bearer token or basic auth, read from a
// file (a secret on the command line is visible to every user in `ps`).
import { plainDecimal } from './decimal';
import { isIP } from 'node:net';
import { parseTarget } from '../core/transport/target';
import { quoted, usageError } from './usageError';

export interface ServeOptions {
  host: string;
  port: number;
  /** The targets as typed with --target, in order (`local` for this machine). */
  targets: string[];
  /** A JSON file in the shape of the extension's `dockerMonitor.targets`. */
  targetsFile: string | null;
  intervalSeconds: number;
  /** Per-process series for the busiest N processes of each target; 0: none. */
  processes: number;
  acceptNewHostKey: boolean;
  allowRemote: boolean;
  bearerTokenFile: string | null;
  basicAuthFile: string | null;
  tlsCert: string | null;
  tlsKey: string | null;
}

const DEFAULT_LISTEN = '127.0.0.1:9464';
const DEFAULT_SERVE_INTERVAL_SECONDS = 15;
const MIN_SERVE_INTERVAL_SECONDS = 1;
const MAX_SERVE_INTERVAL_SECONDS = 3600;
const MAX_PROCESS_SERIES = 1000;

export const SERVE_USAGE = `serve: an OpenMetrics endpoint for Prometheus: each target refreshes on its own every interval over its one
connection; GET /metrics returns the latest refreshes (a scrape never collects), / lists the targets.
  docker-monitor serve [--listen ${DEFAULT_LISTEN}] [--target <t> ...] [--targets-file <file.json>] [--interval <s>]
  --listen <host:port>      where to listen (default ${DEFAULT_LISTEN}; [::1]:port for IPv6; port 0: any free one)
  --target <t>              local, an ~/.ssh/config alias, or user@host[:port]; repeat for more (default: local)
  --targets-file <file>     a JSON array of targets as in the setting dockerMonitor.targets
  --interval <s>            seconds between refreshes of each target (default ${DEFAULT_SERVE_INTERVAL_SECONDS})
  --processes <n>           also per-process series for the n busiest processes of each target (default 0, at most ${MAX_PROCESS_SERIES})
  --accept-new-host-key     trust and remember the host key of an SSH target seen for the first time
  --allow-remote            listen on an address other than loopback; needs --bearer-token-file or --basic-auth-file
  --bearer-token-file <f>   require "Authorization: Bearer <the file's first line>"
  --basic-auth-file <f>     require basic auth with the file's first line, "user:password"
  --tls-cert <f> --tls-key <f>
                            serve HTTPS with this certificate and key (PEM)`;

function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const host = m ? (m[1] ?? m[2]) : undefined;
  const port = m ? Number(m[3]) : NaN;
  if (host === undefined || !(port >= 0 && port <= 65535) || (m![1] !== undefined && isIP(host) !== 6))
    throw usageError(`invalid --listen ${quoted(text)}: host:port, [ipv6]:port, or localhost:port`);
  if (host !== 'localhost' && isIP(host) === 0)
    throw usageError(`invalid --listen ${quoted(text)}: the host must be an IP address or localhost`);
  return { host, port };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function parseWhole(name: string, text: string, min: number, max: number): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n >= min && n <= max) return n;
  }
  throw usageError(`invalid ${name} ${quoted(text)}: a whole number from ${min} to ${max}`);
}

function parseSeconds(text: string): number {
  const s = plainDecimal(text);
  if (s !== null && s >= MIN_SERVE_INTERVAL_SECONDS && s <= MAX_SERVE_INTERVAL_SECONDS) return s;
  throw usageError(
    `invalid --interval ${quoted(text)}: seconds, from ${MIN_SERVE_INTERVAL_SECONDS} to ${MAX_SERVE_INTERVAL_SECONDS}`,
  );
}

function parsePath(name: string, text: string): string {
  if (text === '' || /[\u0000-\u001f\u007f]/.test(text))
    throw usageError(`invalid ${name} ${quoted(text)}: a file path`);
  return text;
}

/** argv after `serve`. */
export function parseServeArgs(argv: readonly string[]): ServeOptions {
  const o: ServeOptions = {
    ...parseListen(DEFAULT_LISTEN),
    targets: [],
    targetsFile: null,
    intervalSeconds: DEFAULT_SERVE_INTERVAL_SECONDS,
    processes: 0,
    acceptNewHostKey: false,
    allowRemote: false,
    bearerTokenFile: null,
    basicAuthFile: null,
    tlsCert: null,
    tlsKey: null,
  };
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    const name = eq >= 0 ? token.slice(0, eq) : token;
    const inline = eq >= 0 ? token.slice(eq + 1) : undefined;
    const once = () => {
      if (name !== '--target' && given.has(name)) throw usageError(`${name} given twice`);
      given.add(name);
    };
    const value = (): string => {
      once();
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || /^--./.test(next)) throw usageError(`${name} needs a value`);
      i++;
      return next;
    };
    const flag = (): true => {
      once();
      if (inline !== undefined) throw usageError(`${name} takes no value`);
      return true;
    };
    switch (name) {
      case '--listen':
        Object.assign(o, parseListen(value()));
        break;
      case '--target': {
        const text = value();
        parseTarget(text); // checked now: a bad target is a usage error, not a target that stays down
        o.targets.push(text);
        break;
      }
      case '--targets-file':
        o.targetsFile = parsePath(name, value());
        break;
      case '--interval':
        o.intervalSeconds = parseSeconds(value());
        break;
      case '--processes':
        o.processes = parseWhole(name, value(), 0, MAX_PROCESS_SERIES);
        break;
      case '--accept-new-host-key':
        o.acceptNewHostKey = flag();
        break;
      case '--allow-remote':
        o.allowRemote = flag();
        break;
      case '--bearer-token-file':
        o.bearerTokenFile = parsePath(name, value());
        break;
      case '--basic-auth-file':
        o.basicAuthFile = parsePath(name, value());
        break;
      case '--tls-cert':
        o.tlsCert = parsePath(name, value());
        break;
      case '--tls-key':
        o.tlsKey = parsePath(name, value());
        break;
      default:
        throw usageError(
          token.startsWith('-') ? `unknown option ${quoted(name)} for serve` : `unexpected argument ${quoted(token)}`,
        );
    }
  }
  if (!isLoopback(o.host) && !o.allowRemote)
    throw usageError(
      `--listen ${quoted(o.host)} is reachable from other machines: add --allow-remote and --bearer-token-file or --basic-auth-file`,
    );
  if (o.allowRemote && o.bearerTokenFile === null && o.basicAuthFile === null)
    throw usageError('--allow-remote needs --bearer-token-file or --basic-auth-file');
  if (o.bearerTokenFile !== null && o.basicAuthFile !== null)
    throw usageError('give --bearer-token-file or --basic-auth-file, not both');
  if ((o.tlsCert === null) !== (o.tlsKey === null)) throw usageError('--tls-cert and --tls-key go together');
  const local = o.targets.filter((t) => parseTarget(t).kind === 'local').length;
  if (local > 1) throw usageError('--target local given twice');
  if (o.targets.length === 0 && o.targetsFile === null) o.targets.push('local');
  return o;
}
