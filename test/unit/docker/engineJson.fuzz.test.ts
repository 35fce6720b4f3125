// Property tests (fast-check, seeded) for the Engine API JSON handling: inspect and list replies whose fields are
// missing or of any JSON type, events of any shape, and the event stream split into any chunks. Nothing may
// throw (containerMeta and statusClock promise it); odd fields read as unknown, never as a made-up figure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containerMeta, summaryName } from '../../../src/core/docker/containerMeta';
import { containerEventEffect, eventAction, eventContainerId } from '../../../src/core/docker/containerEvents';
import { chooseApiPrefix, JsonObjectSplitter } from '../../../src/core/docker/engineApi';
import type { ContainerInspect, ContainerSummary } from '../../../src/core/docker/engineApi';
import { statusClock, statusText } from '../../../src/core/docker/statusText';
import { MonitorError } from '../../../src/core/errors';

const SEED = 20240906;
const RUNS = 1000;

const ID = 'a'.repeat(64);
/** Any JSON value, with the values that break naive code over-represented. */
const leaf = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      1e300,
      -1e300,
      -1,
      0,
      1.5,
      2 ** 53 + 2,
      '',
      '0001-01-01T00:00:00Z',
      '2024-05-01T10:00:00.123456789Z',
      'not a time',
      '/x/y',
      [],
      {},
      null,
      true,
      '__proto__',
    ),
  },
);
/** An object with some of `keys`, each any JSON value or (when `shape` has it) an object of the right shape. */
function shaped(
  keys: string[],
  shape: Record<string, fc.Arbitrary<unknown>> = {},
): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(Object.fromEntries(keys.map((k) => [k, shape[k] ? fc.oneof(leaf, shape[k]) : leaf])), {
    requiredKeys: [],
  });
}
/** Labels as the daemon's JSON gives them: own keys, `__proto__` included (JSON.parse makes it an own key). */
const labels = fc.dictionary(
  fc.oneof(
    fc.constantFrom('__proto__', 'com.docker.compose.project', 'com.docker.compose.service', 'constructor'),
    fc.string({ maxLength: 8 }),
  ),
  leaf,
  { maxKeys: 5 },
);
const viaJson = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T> => a.map((v) => JSON.parse(JSON.stringify(v)) as T);

const inspect = viaJson(
  shaped(
    [
      'Name',
      'Created',
      'Path',
      'Args',
      'State',
      'RestartCount',
      'HostnamePath',
      'LogPath',
      'GraphDriver',
      'HostConfig',
      'Config',
      'NetworkSettings',
      'Image',
    ],
    {
      State: shaped(
        ['Status', 'Running', 'Paused', 'Restarting', 'Dead', 'Pid', 'ExitCode', 'StartedAt', 'FinishedAt', 'Health'],
        { Health: shaped(['Status']) },
      ),
      GraphDriver: shaped(['Name', 'Data'], { Data: shaped(['MergedDir', 'UpperDir', 'WorkDir']) }),
      HostConfig: shaped([
        'NetworkMode',
        'PidMode',
        'Privileged',
        'Memory',
        'NanoCpus',
        'CpuQuota',
        'CpuPeriod',
        'PidsLimit',
      ]),
      Config: shaped(['Image', 'Labels'], { Labels: labels }),
      NetworkSettings: shaped(['IPAddress', 'Networks'], {
        Networks: fc.dictionary(fc.string({ maxLength: 6 }), shaped(['IPAddress']), { maxKeys: 3 }),
      }),
      Args: fc.array(leaf, { maxLength: 3 }),
    },
  ),
).map((o) => ({ ...o, Id: ID }) as unknown as ContainerInspect);

const summary = fc.option(
  viaJson(
    shaped(['Names', 'Image', 'Command', 'Created', 'State', 'Status', 'Labels'], {
      Names: fc.array(leaf, { maxLength: 3 }),
      Labels: labels,
    }),
  ).map((o) => ({ ...o, Id: ID }) as unknown as ContainerSummary),
  { nil: undefined },
);

const isIso = (v: unknown): boolean => typeof v === 'string' && new Date(v).toISOString() === v;
const positiveOrNull = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isFinite(v) && v > 0);

describe('containerMeta on odd inspect and list replies (fuzz)', () => {
  it('never throws, and every field is of its type, figures whole or null', () => {
    fc.assert(
      fc.property(inspect, summary, fc.option(fc.constantFrom('/var/lib/docker', '/', '')), (raw, s, rootDir) => {
        const m = containerMeta(raw, s, rootDir, Date.parse('2025-01-01T00:00:00Z'));
        for (const k of ['id', 'name', 'image', 'command', 'state', 'status', 'pidMode', 'networkMode'] as const)
          expect(typeof m[k]).toBe('string');
        expect(m.name).not.toBe('');
        for (const k of ['createdAt', 'startedAt'] as const) expect(m[k] === null || isIso(m[k])).toBe(true);
        expect(m.initPid === null || (Number.isSafeInteger(m.initPid) && m.initPid > 0)).toBe(true);
        expect(Number.isSafeInteger(m.restartCount) && m.restartCount >= 0).toBe(true);
        for (const v of Object.values(m.limits)) expect(positiveOrNull(v)).toBe(true);
        for (const v of Object.values(m.labels)) expect(typeof v).toBe('string');
        for (const k of ['health', 'ipAddress', 'mergedDir', 'upperDir', 'workDir', 'containerDir'] as const)
          expect(m[k] === null || typeof m[k] === 'string').toBe(true);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('keeps every string label, whatever its key (__proto__ included)', () => {
    fc.assert(
      fc.property(viaJson(labels), (l) => {
        const raw = { Id: ID, Config: { Image: 'x', Labels: l } } as unknown as ContainerInspect;
        const m = containerMeta(raw, undefined, null);
        const want = Object.entries(l).filter(([, v]) => typeof v === 'string');
        expect(Object.entries(m.labels)).toEqual(want);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('summaryName, statusClock and statusText take any JSON value', () => {
    fc.assert(
      fc.property(
        leaf,
        viaJson(
          shaped([
            'Status',
            'Running',
            'Paused',
            'Restarting',
            'Dead',
            'ExitCode',
            'StartedAt',
            'FinishedAt',
            'Health',
          ]),
        ),
        (v, state) => {
          const n = summaryName({ Names: v } as unknown as ContainerSummary);
          expect(n === null || typeof n === 'string').toBe(true);
          for (const st of [v, state]) expect(typeof statusText(statusClock(st), Date.now())).toBe('string');
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe('events and the event stream (fuzz)', () => {
  it('events of any shape: an id is 64 hex or null, the effect one of three', () => {
    const event = fc.oneof(
      leaf,
      viaJson(
        shaped(['Type', 'Action', 'status', 'id', 'Actor'], {
          Actor: shaped(['ID', 'Attributes']),
          Type: fc.constant('container'),
          id: fc.constant(ID),
        }),
      ),
    );
    fc.assert(
      fc.property(event, (e) => {
        const id = eventContainerId(e);
        expect(id === null || /^[0-9a-f]{64}$/.test(id)).toBe(true);
        expect(typeof eventAction(e)).toBe('string');
        expect(['ignore', 'changed', 'destroyed']).toContain(containerEventEffect(e));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('JsonObjectSplitter gives back each object of the stream, split at any chunk boundaries', () => {
    const doc = fc.oneof(
      fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
      fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(doc, fc.constantFrom('', '\n', ' \r\n', '\t')), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (docs, cuts) => {
          const text = docs.map(([d, sep]) => JSON.stringify(d) + sep).join('');
          const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const splitter = new JsonObjectSplitter();
          const out: unknown[] = [];
          let prev = 0;
          for (const c of [...at, text.length]) {
            for (const t of splitter.push(text.slice(prev, c))) out.push(JSON.parse(t));
            prev = c;
          }
          expect(out).toEqual(docs.map(([d]) => d));
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('JsonObjectSplitter on arbitrary text throws nothing but MonitorError', () => {
    const text = fc
      .array(
        fc.oneof(fc.constantFrom('{', '}', '[', ']', '"', '\\', ' ', '\n', 'x', '1'), fc.string({ maxLength: 3 })),
        { maxLength: 40 },
      )
      .map((a) => a.join(''));
    fc.assert(
      fc.property(fc.array(text, { maxLength: 4 }), (chunks) => {
        const splitter = new JsonObjectSplitter();
        try {
          for (const c of chunks) splitter.push(c);
        } catch (e) {
          expect(e).toBeInstanceOf(MonitorError);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('chooseApiPrefix of any /version reply is a /vN.M prefix or empty', () => {
    fc.assert(
      fc.property(leaf, leaf, fc.tuple(fc.nat(2), fc.nat(60)), (a, b, [maj, min]) => {
        for (const v of [
          { ApiVersion: a, MinAPIVersion: b },
          { ApiVersion: `${maj}.${min}`, MinAPIVersion: b },
        ]) {
          expect(chooseApiPrefix(v as { ApiVersion: string })).toMatch(/^(\/v\d{1,3}\.\d{1,3})?$/);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
