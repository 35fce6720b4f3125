// Reads ssh_config text the way OpenSSH's readconf.c does, so that a target resolves to the host, user and keys
// that `ssh` itself would use: words split as argv_split() splits them (quotes, backslash escapes, `#` only at
// the start of a word), Host and Match blocks evaluated in order with the first value of an option winning,
// Include read in place with the including block's state restored afterwards, and an unknown keyword refusing
// the whole file. `Match exec` is refused rather than run: a monitor must not run commands from a config.
import { MonitorError } from '../errors';
import { splitConfigWords, splitKeyword, trimEndOf } from './sshConfigWords';
import { matchPattern, matchPatternList } from './sshPattern';

/** The options of one resolution: keyword (lower case) -> the words of its first active occurrence. */
export type ConfigOptions = Map<string, string[]>;

export interface ConfigFs {
  /** The file's text, or null when it does not exist. Throws a MonitorError when it cannot be read. */
  readFile(path: string): string | null;
  /** Paths matching an absolute glob pattern, sorted; [] when none match. */
  glob(pattern: string): string[];
}

export interface ConfigContext {
  /** The host as typed (an alias or a name). */
  host: string;
  /** The user given on the command line (`user@host`), if any: it wins over User lines. */
  user: string | null;
  /** The port given on the command line, if any: it wins over Port lines. */
  port: number | null;
  localUser: string;
  /** For `~` in Include paths. */
  home: string;
}

/** One config file to read: the user's (relative Includes under ~/.ssh) or the system's (under /etc/ssh). */
export interface ConfigFile {
  path: string;
  /** The text, when already in hand; read through ConfigFs otherwise. */
  text?: string;
  user: boolean;
}

/** Options that collect every active value instead of keeping the first. */
const ACCUMULATING = new Set([
  'identityfile',
  'certificatefile',
  'localforward',
  'remoteforward',
  'dynamicforward',
  'sendenv',
  'setenv',
]);

/**
 * Every keyword a current OpenSSH client accepts (readconf.c, up to 10.x, with Debian's additions), including
 * the deprecated and unsupported ones it ignores. Anything else is "Bad configuration option", as in ssh.
 */
const KNOWN_KEYWORDS = new Set(
  `host match include ignoreunknown
  hostname user port identityfile identityfile2 identitiesonly identityagent certificatefile addkeystoagent
  userknownhostsfile globalknownhostsfile userknownhostsfile2 globalknownhostsfile2 stricthostkeychecking
  hostkeyalias hashknownhosts hostkeyalgorithms checkhostip verifyhostkeydns updatehostkeys knownhostscommand
  revokedhostkeys fingerprinthash visualhostkey nohostauthenticationforlocalhost
  proxyjump proxycommand proxyusefdpass connecttimeout connectionattempts serveraliveinterval serveralivecountmax
  tcpkeepalive keepalive protocolkeepalives setuptimeout batchmode
  forwardagent forwardx11 forwardx11trusted forwardx11timeout exitonforwardfailure xauthlocation gatewayports
  passwordauthentication kbdinteractiveauthentication kbdinteractivedevices challengeresponseauthentication
  skeyauthentication tisauthentication pubkeyauthentication dsaauthentication hostbasedauthentication
  rsaauthentication rhostsrsaauthentication rhostsauthentication kerberosauthentication kerberostgtpassing
  afstokenpassing gssapiauthentication gssapidelegatecredentials gssapikeyexchange gssapiclientidentity
  gssapiserveridentity gssapirenewalforcesrekey gssapitrustdns gssapikexalgorithms
  ciphers cipher macs kexalgorithms casignaturealgorithms pubkeyacceptedalgorithms pubkeyacceptedkeytypes
  hostbasedacceptedalgorithms hostbasedkeytypes requiredrsasize rekeylimit compression compressionlevel
  remoteforward localforward dynamicforward permitremoteopen clearallforwardings streamlocalbindmask
  streamlocalbindunlink escapechar enableescapecommandline numberofpasswordprompts preferredauthentications
  syslogfacility loglevel logverbose bindaddress bindinterface smartcarddevice pkcs11provider
  securitykeyprovider enablesshkeysign addressfamily sendenv setenv controlpath controlmaster controlpersist
  tunnel tunneldevice localcommand permitlocalcommand remotecommand ipqos requesttty sessiontype stdinnull
  forkafterauthentication canonicaldomains canonicalizefallbacklocal canonicalizehostname canonicalizemaxdots
  canonicalizepermittedcnames protocol useroaming usersh useprivilegedport fallbacktorsh
  channeltimeout obscurekeystroketiming tag refuseconnection warnweakcrypto versionaddendum`
    .split(/\s+/)
    .filter((k) => k !== ''),
);

const MAX_INCLUDE_DEPTH = 16;

interface State {
  options: ConfigOptions;
  identityFiles: string[];
  ctx: ConfigContext;
  fs: ConfigFs;
  /** The second pass, after HostName is known (readconf's SSHCONF_FINAL). */
  final: boolean;
  wantFinal: boolean;
  ignoreUnknown: string | null;
}

function fail(where: string, message: string): never {
  throw new MonitorError(`ssh config ${where}: ${message}`, 'bad-argument');
}

/**
 * Resolves the options of one host from config files, in order, as `ssh` does: one pass, and a second ("final")
 * pass when a `Match final` asks for it, both keeping the first value each option got.
 */
export function readSshConfig(
  files: ConfigFile[],
  ctx: ConfigContext,
  fs: ConfigFs,
): { options: ConfigOptions; identityFiles: string[] } {
  const state: State = {
    options: new Map(),
    identityFiles: [],
    ctx,
    fs,
    final: false,
    wantFinal: false,
    ignoreUnknown: null,
  };
  // What the command line gives is set before any file is read, so it wins (as `ssh -l`/`-p` do).
  if (ctx.user !== null) state.options.set('user', [ctx.user]);
  if (ctx.port !== null) state.options.set('port', [String(ctx.port)]);
  const pass = (): void => {
    for (const f of files) {
      const text = f.text ?? fs.readFile(f.path);
      if (text === null) continue;
      readText(state, text, f.path, f.user, { active: true }, false, 0);
    }
  };
  pass();
  if (state.wantFinal) {
    state.final = true;
    pass();
  }
  return { options: state.options, identityFiles: state.identityFiles };
}

/** The host that Match host and the final pass compare: HostName with %h expanded, else the typed host. */
function currentHostName(state: State): string {
  const hn = state.options.get('hostname')?.[0];
  if (hn === undefined) return state.ctx.host;
  return hn.replace(/%([%h])/g, (_, t: string) => (t === '%' ? '%' : state.ctx.host));
}

function readText(
  state: State,
  text: string,
  file: string,
  userConf: boolean,
  active: { active: boolean },
  neverMatch: boolean,
  depth: number,
): void {
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const where = `${file} line ${n + 1}`;
    const kw = splitKeyword(lines[n]);
    if (kw === null) continue;
    const words = splitConfigWords(kw.rest);
    if (words === null) fail(where, 'invalid quotes');
    const { keyword } = kw;
    if (!KNOWN_KEYWORDS.has(keyword)) {
      if (state.ignoreUnknown !== null && matchPatternList(keyword, state.ignoreUnknown, true)) continue;
      fail(where, `Bad configuration option: ${keyword} (OpenSSH refuses the whole file for it; fix or remove it)`);
    }
    if (keyword === 'host') {
      active.active = false;
      if (words.length === 0) fail(where, 'Host needs at least one pattern');
      if (neverMatch) continue;
      // Host patterns compare with the name as typed (or HostName in the final pass), case and all.
      const name = state.final ? currentHostName(state).toLowerCase() : state.ctx.host;
      for (const w of words) {
        if (w === '') fail(where, 'Host has an empty pattern');
        const negated = w.startsWith('!');
        if (matchPattern(name, negated ? w.slice(1) : w)) {
          if (negated) {
            active.active = false;
            break;
          }
          active.active = true;
        }
      }
      continue;
    }
    if (keyword === 'match') {
      active.active = neverMatch ? false : matchLine(state, words, where);
      continue;
    }
    if (keyword === 'include') {
      if (words.length === 0) fail(where, 'Include needs a path');
      for (const w of words) {
        if (w === '') fail(where, 'Include has an empty path');
        if (w.startsWith('~') && !userConf) fail(where, `bad include path ${w}: ~ is only for the user's config`);
        let path = w;
        if (path === '~' || path.startsWith('~/')) path = state.ctx.home + path.slice(1);
        else if (path.startsWith('~')) fail(where, `Include ${w}: ~user paths are not supported`);
        else if (!path.startsWith('/')) path = `${userConf ? `${state.ctx.home}/.ssh` : '/etc/ssh'}/${path}`;
        if (depth >= MAX_INCLUDE_DEPTH) fail(where, `Include nested deeper than ${MAX_INCLUDE_DEPTH}`);
        const outer = active.active;
        for (const p of state.fs.glob(path)) {
          const t = state.fs.readFile(p);
          if (t !== null) readText(state, t, p, userConf, active, neverMatch || !outer, depth + 1);
          active.active = outer; // a Host or Match inside the included file does not leak out of it
        }
      }
      continue;
    }
    checkArguments(keyword, words, where);
    if (!active.active) continue;
    if (keyword === 'ignoreunknown') {
      state.ignoreUnknown ??= words[0];
      continue;
    }
    if (keyword === 'identityfile' || keyword === 'identityfile2') {
      // Duplicates are dropped, as add_identity_file() does (compared as written).
      if (!state.identityFiles.includes(words[0])) state.identityFiles.push(words[0]);
      continue;
    }
    if (ACCUMULATING.has(keyword)) {
      state.options.set(keyword, [...(state.options.get(keyword) ?? []), ...words]);
      continue;
    }
    if (keyword === 'proxycommand' || keyword === 'proxyjump') {
      // Whichever of the two comes first is the one used (readconf's parse_jump / oProxyCommand).
      if (state.options.has('proxycommand') || state.options.has('proxyjump')) continue;
      // ProxyCommand keeps the rest of the line as written: it is a shell command.
      state.options.set(keyword, keyword === 'proxycommand' ? [trimEndOf(kw.rest, ' \t')] : words);
      continue;
    }
    if (!state.options.has(keyword)) state.options.set(keyword, words);
  }
}

/** Single-valued options take exactly one word, as readconf checks ("extra arguments at end of line"). */
const SINGLE = new Set([
  'hostname',
  'user',
  'port',
  'identityfile',
  'identityfile2',
  'identitiesonly',
  'identityagent',
  'stricthostkeychecking',
  'hostkeyalias',
  'hashknownhosts',
  'connecttimeout',
  'serveraliveinterval',
  'serveralivecountmax',
  'proxyjump',
  'batchmode',
]);

function checkArguments(keyword: string, words: string[], where: string): void {
  if (keyword === 'proxycommand') {
    if (words.length === 0) fail(where, 'ProxyCommand needs a command');
    return;
  }
  if (words.length === 0 || words[0] === '') fail(where, `${keyword} needs a value`);
  if (SINGLE.has(keyword) && words.length > 1) fail(where, `${keyword} has extra arguments at end of line`);
}

/** One `Match` line (readconf's match_cfg_line): every criterion must hold; `!` negates one. */
function matchLine(state: State, words: string[], where: string): boolean {
  if (words.length === 0) fail(where, 'Match needs criteria');
  let result = true;
  for (let i = 0; i < words.length; i++) {
    let attr = words[i].toLowerCase();
    const negate = attr.startsWith('!');
    if (negate) attr = attr.slice(1);
    if (attr === 'all') {
      if (words.length - i > 1 && !words.slice(i + 1).every((w) => /^!?(canonical|final)$/i.test(w))) {
        fail(where, "Match 'all' must stand alone (or with canonical/final)");
      }
      if (negate) result = false;
      continue;
    }
    if (attr === 'canonical' || attr === 'final') {
      if (attr === 'final') state.wantFinal = true;
      // CanonicalizeHostname is not honoured, so the only post-canonical pass is the final one.
      if (state.final === negate) result = false;
      continue;
    }
    const arg = words[i + 1];
    if (arg === undefined || arg === '') fail(where, `Match ${attr} needs an argument`);
    i++;
    let hit: boolean;
    switch (attr) {
      case 'host':
        hit = matchPatternList(currentHostName(state), arg, true);
        break;
      case 'originalhost':
        hit = matchPatternList(state.ctx.host, arg, true);
        break;
      case 'user':
        hit = matchPatternList(state.options.get('user')?.[0] ?? state.ctx.localUser, arg, false);
        break;
      case 'localuser':
        hit = matchPatternList(state.ctx.localUser, arg, false);
        break;
      case 'exec':
        // Evaluated only while the line could still match, as OpenSSH does; then refused, never run.
        if (!result) {
          hit = false;
          break;
        }
        fail(
          where,
          `Match exec is not supported (Docker Monitor does not run commands from an ssh config); give this target its settings without Match exec`,
        );
        break; // not reached: fail() throws
      default:
        fail(where, `Match ${attr} is not supported`);
    }
    if (hit === negate) result = false;
  }
  return result;
}

/**
 * Every Host pattern of a config file and the files it includes, in reading order, for pickers that list the
 * aliases a user has. Lines that do not parse are skipped here: resolving a chosen alias reports them.
 */
export function hostPatterns(file: ConfigFile, home: string, fs: ConfigFs, depth = 0): string[] {
  let text: string | null;
  try {
    text = file.text ?? fs.readFile(file.path);
  } catch {
    return [];
  }
  if (text === null || depth > MAX_INCLUDE_DEPTH) return [];
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const kw = splitKeyword(line);
    const words = kw === null ? null : splitConfigWords(kw.rest);
    if (kw === null || words === null) continue;
    if (kw.keyword === 'host') out.push(...words);
    if (kw.keyword !== 'include') continue;
    for (const w of words) {
      let path = w;
      if (path === '~' || path.startsWith('~/')) path = home + path.slice(1);
      else if (!path.startsWith('/')) path = `${file.user ? `${home}/.ssh` : '/etc/ssh'}/${path}`;
      for (const p of fs.glob(path)) out.push(...hostPatterns({ path: p, user: file.user }, home, fs, depth + 1));
    }
  }
  return out;
}
