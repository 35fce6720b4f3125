// The dockerMonitor.targets setting: what gets through, what is refused (one clear line each), and stable ids.
import { describe, expect, it } from 'vitest';
import {
  LOCAL_TARGET_ID,
  parseTargetSetting,
  parseTargetSettings,
  sameTarget,
  settingFromTyped,
  sshTargetId,
  targetAddress,
  targetSpec,
  toSetting,
  uniqueName,
  validateJump,
} from '../../../src/core/targets/settings/targetConfig';
import { MonitorError } from '../../../src/core/errors';
import { parseTarget } from '../../../src/core/transport/target';

function errorOf(fn: () => unknown): MonitorError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MonitorError) return e;
    throw e;
  }
  throw new Error('expected a MonitorError');
}

describe('parseTargetSettings', () => {
  it('puts Local first and keeps valid entries in order, with ids from their names', () => {
    const { targets, problems } = parseTargetSettings(
      [
        {
          name: 'build box',
          host: 'build.example.com',
          user: 'ci',
          port: 2200,
          identityFile: '~/.ssh/ci_ed25519',
          jump: 'bastion.example.com',
        },
        { host: '127.0.0.1', port: '2222', user: 'root' },
        { host: 'dmtest' },
      ],
      true,
    );
    expect(problems).toEqual([]);
    expect(targets.map((t) => t.id)).toEqual([
      LOCAL_TARGET_ID,
      'ssh:build box',
      'ssh:root@127.0.0.1:2222',
      'ssh:dmtest',
    ]);
    expect(targets[0]).toEqual({ id: 'local', name: 'Local', kind: 'local' });
    expect(targets[1]).toEqual({
      id: 'ssh:build box',
      name: 'build box',
      kind: 'ssh',
      host: 'build.example.com',
      port: 2200,
      user: 'ci',
      identityFile: '~/.ssh/ci_ed25519',
      jump: 'bastion.example.com',
    });
    // A port written as a string is accepted and stored as a number.
    expect(targets[2].port).toBe(2222);
  });

  it('leaves Local out when showLocalTarget is false, and tolerates an unset setting', () => {
    expect(parseTargetSettings(undefined, false)).toEqual({ targets: [], problems: [] });
    expect(parseTargetSettings(null, true).targets.map((t) => t.id)).toEqual(['local']);
  });

  it('skips each bad entry with a line that names it and says why, keeping the good ones', () => {
    const { targets, problems } = parseTargetSettings(
      [
        'root@host',
        { host: 'ok.example' },
        { host: 'a;rm -rf /' },
        { host: '$(id)' },
        { host: '-oProxyCommand=x' },
        { host: 'root@box' },
        { host: 'box', user: 'bad user' },
        { host: 'box', port: 0 },
        { host: 'box', port: 65536 },
        { host: 'box', port: true },
        { name: '', host: '' },
        { host: 'box', identityFile: 7 },
        { host: 'box', jump: 'good.example,,x' },
        { host: 'box', jump: 'a;b' },
        { host: 'box', extra: 1 },
        { host: 'ok.example' },
        { name: 'line\nbreak', host: 'box' },
      ],
      false,
    );
    expect(targets.map((t) => t.id)).toEqual(['ssh:ok.example']);
    expect(problems).toHaveLength(16);
    problems.forEach((p) => {
      expect(p).toMatch(/^dockerMonitor\.targets\[\d+\] skipped: /);
      expect(p).not.toContain('\n');
    });
    expect(problems[0]).toContain('[0] skipped: not an object');
    // problems[] counts skipped entries only: entry 1 was kept.
    for (const i of [1, 2, 3]) expect(problems[i]).toContain('invalid host name');
    expect(problems[4]).toContain('put it in "user"');
    expect(problems[5]).toContain('invalid user name');
    expect(problems[6]).toContain('invalid port');
    expect(problems[8]).toContain('"port" must be a number');
    expect(problems[9]).toContain('"host" is missing');
    expect(problems[10]).toContain('"identityFile" must be a string');
    expect(problems[11]).toContain('invalid jump hosts');
    expect(problems[12]).toContain('invalid jump host');
    expect(problems[13]).toContain('unknown field "extra"');
    expect(problems[14]).toContain('is used by an earlier entry');
    expect(problems[15]).toContain('invalid target name');
  });

  it('refuses a value that is not an array', () => {
    const r = parseTargetSettings({ host: 'x' }, true);
    expect(r.targets.map((t) => t.id)).toEqual(['local']);
    expect(r.problems).toEqual(['dockerMonitor.targets must be an array of targets; ignored']);
  });
});

describe('target ids and specs', () => {
  it("opens what parseTarget would for the same text (so labels match the CLI's --target)", () => {
    const def = parseTargetSetting({ name: 'web', host: 'web.example', user: 'deploy' });
    expect(def.id).toBe(sshTargetId('web'));
    expect(targetSpec(def)).toEqual(parseTarget('deploy@web.example'));
    for (const text of ['dmtest', 'my_server.lan', '192.0.2.1', 'root@127.0.0.1:2222', 'host.example:2200']) {
      expect(targetSpec(settingFromTyped(text, []))).toEqual(parseTarget(text));
    }
    expect(targetSpec(parseTargetSetting({ host: '::1', port: 2222 }))).toEqual(parseTarget('[::1]:2222'));
    expect(targetSpec({ id: 'local', name: 'Local', kind: 'local' })).toEqual({ kind: 'local' });
  });

  it('writes back exactly what it read (settings round trip)', () => {
    const raw = { name: 'b', host: '::1', port: 2222, user: 'root', identityFile: '/k', jump: 'j1,bob@j2:2022' };
    const def = parseTargetSetting(raw);
    expect(toSetting(def)).toEqual(raw);
    expect(parseTargetSetting(toSetting(def))).toEqual(def);
    expect(targetAddress(def)).toBe('root@[::1]:2222');
  });

  it('tells an edit that changes the connection from one that does not', () => {
    const a = parseTargetSetting({ name: 'x', host: 'h', port: 22 });
    expect(sameTarget(a, parseTargetSetting({ name: 'x', host: 'h', port: '22' }))).toBe(true);
    expect(sameTarget(a, parseTargetSetting({ name: 'x', host: 'h', port: 23 }))).toBe(false);
    expect(sameTarget(a, parseTargetSetting({ name: 'x', host: 'h', port: 22, jump: 'j' }))).toBe(false);
  });

  it('normalises jump lists and rejects empty hops', () => {
    expect(validateJump(' a , bob@b:2022 ')).toBe('a,bob@b:2022');
    expect(errorOf(() => validateJump('a,')).code).toBe('bad-argument');
  });
});

describe('settingFromTyped (Add SSH Target)', () => {
  it('accepts what parseTarget accepts and names the entry after it', () => {
    expect(settingFromTyped('root@127.0.0.1:2222', [])).toEqual({
      id: 'ssh:root@127.0.0.1:2222',
      name: 'root@127.0.0.1:2222',
      kind: 'ssh',
      host: '127.0.0.1',
      user: 'root',
      port: 2222,
    });
    expect(settingFromTyped('ssh://ops@10.0.0.2:2022', [])).toMatchObject({
      host: '10.0.0.2',
      user: 'ops',
      port: 2022,
    });
    expect(settingFromTyped('dmtest', [])).toEqual({ id: 'ssh:dmtest', name: 'dmtest', kind: 'ssh', host: 'dmtest' });
  });

  it('picks a free name when the address is already a target', () => {
    expect(settingFromTyped('dmtest', ['dmtest', 'dmtest (2)']).name).toBe('dmtest (3)');
    expect(uniqueName('a', [])).toBe('a');
  });

  it.each([[''], ['  '], ['local'], ['-oProxyCommand=x'], ['a;b'], ['user@'], ['host:0'], ['us er@host']])(
    'refuses %j',
    (text) => {
      const e = errorOf(() => settingFromTyped(text, []));
      expect(e.code).toBe('bad-argument');
      expect(e.message).not.toContain('\n');
    },
  );
});
