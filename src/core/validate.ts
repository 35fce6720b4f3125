// Validation of user-supplied identifiers before they reach a command line, a path or an API URL.
import { MonitorError } from './errors';

const CONTAINER_ID = /^[0-9a-f]{1,64}$/;
// Docker's own rule for names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (a leading slash is accepted and dropped).
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;
const HOST_NAME = /^(?=.{1,253}$)[a-zA-Z0-9](?:[a-zA-Z0-9-_]{0,62})(?:\.[a-zA-Z0-9_](?:[a-zA-Z0-9-_]{0,62}))*\.?$/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:]{2,39}(?:%[a-zA-Z0-9_.-]+)?$/;
const USER_NAME = /^[a-zA-Z0-9_.][a-zA-Z0-9_.-]{0,31}\$?$/;

/** A container reference as typed by a user: a full or short id, or a name. */
export function validateContainerRef(ref: string): string {
  const r = ref.startsWith('/') ? ref.slice(1) : ref;
  if (CONTAINER_ID.test(r) || CONTAINER_NAME.test(r)) return r;
  throw new MonitorError(`invalid container id or name: ${JSON.stringify(ref.slice(0, 80))}`, 'bad-argument');
}

export function validatePid(value: string | number): number {
  const s = String(value).trim();
  if (/^[1-9]\d{0,9}$/.test(s)) {
    const n = Number(s);
    if (n <= 4_194_304) return n; // PID_MAX_LIMIT on 64-bit Linux
  }
  throw new MonitorError(
    `invalid PID: ${JSON.stringify(String(value).slice(0, 40))} (a positive integer up to 4194304)`,
    'bad-argument',
  );
}

export function validateHostName(host: string): string {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (HOST_NAME.test(h) || IPV4.test(h) || (h.includes(':') && IPV6.test(h))) return h;
  throw new MonitorError(`invalid host name: ${JSON.stringify(host.slice(0, 80))}`, 'bad-argument');
}

export function validateUserName(user: string): string {
  if (USER_NAME.test(user)) return user;
  throw new MonitorError(`invalid user name: ${JSON.stringify(user.slice(0, 40))}`, 'bad-argument');
}

export function validatePort(value: string | number): number {
  const s = String(value);
  if (/^\d{1,5}$/.test(s) && Number(s) >= 1 && Number(s) <= 65535) return Number(s);
  throw new MonitorError(`invalid port: ${JSON.stringify(s.slice(0, 20))}`, 'bad-argument');
}

/** Single-quotes a string for POSIX sh: the only quoting that needs no escaping inside. */
export function shellQuote(s: string): string {
  if (s.includes('\0')) throw new MonitorError('argument contains a NUL byte', 'bad-argument');
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
