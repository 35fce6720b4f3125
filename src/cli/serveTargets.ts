// The targets `serve` watches: each --target as typed (its text is the `target` label) and each entry of a
// --targets-file (the shape of the extension's dockerMonitor.targets; its `name` is the label). A file with a
// problem stops serve at the start: a target silently left out would look like a healthy, smaller fleet.
import { readFileSync } from 'node:fs';
import { MonitorError } from '../core/errors';
import { localTarget, parseTargetSettings, sshTargetId } from '../core/targets/settings/targetConfig';
import type { TargetDefinition } from '../core/targets/settings/targetConfig';
import { parseTarget } from '../core/transport/target';
import type { ServeOptions } from './serveArgs';

const MAX_FILE_BYTES = 1024 * 1024;

function fromFile(path: string): TargetDefinition[] {
  let raw: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    if (text.length > MAX_FILE_BYTES) throw new MonitorError(`${path} is over 1 MiB`, 'bad-argument');
    raw = JSON.parse(text);
  } catch (e) {
    if (e instanceof MonitorError) throw e;
    const why = e instanceof SyntaxError ? `not JSON (${e.message})` : ((e as NodeJS.ErrnoException).code ?? String(e));
    throw new MonitorError(`--targets-file ${path}: ${why}`, 'bad-argument');
  }
  if (!Array.isArray(raw))
    throw new MonitorError(
      `--targets-file ${path}: want a JSON array of targets, as dockerMonitor.targets`,
      'bad-argument',
    );
  const { targets, problems } = parseTargetSettings(raw, false);
  if (problems.length > 0) throw new MonitorError(`--targets-file ${path}: ${problems[0]}`, 'bad-argument');
  return targets;
}

function fromFlag(text: string): TargetDefinition {
  const p = parseTarget(text);
  if (p.kind === 'local') return { ...localTarget(), name: text };
  const def: TargetDefinition = { id: sshTargetId(text), name: text, kind: 'ssh', host: p.host };
  if (p.user !== null) def.user = p.user;
  if (p.port !== null) def.port = p.port;
  return def;
}

export function serveTargets(o: ServeOptions): TargetDefinition[] {
  const defs = [...o.targets.map(fromFlag), ...(o.targetsFile ? fromFile(o.targetsFile) : [])];
  const seen = new Set<string>();
  for (const d of defs) {
    if (seen.has(d.name)) throw new MonitorError(`two targets are named ${JSON.stringify(d.name)}`, 'bad-argument');
    seen.add(d.name);
  }
  return defs;
}
