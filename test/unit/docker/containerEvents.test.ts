// Which events mark a container for inspection, on a real event stream and on the noisy kinds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerEventEffect, eventAction } from '../../../src/core/docker/containerEvents';

const stream = readFileSync(join(__dirname, '../fixtures/docker/events-stream.json'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as unknown);

describe('containerEventEffect', () => {
  it('a real stream: create/start/die change, attach does not, destroy removes', () => {
    expect(stream.map((e) => [eventAction(e), containerEventEffect(e)])).toEqual([
      ['create', 'changed'],
      ['attach', 'ignore'],
      ['start', 'changed'],
      ['die', 'changed'],
      ['destroy', 'destroyed'],
    ]);
  });
  it('execs are ignored, health and rename are changes, odd input is ignored', () => {
    const base = stream[2] as Record<string, unknown>;
    expect(containerEventEffect({ ...base, Action: 'exec_start: sh -c exit 1' })).toBe('ignore');
    expect(containerEventEffect({ ...base, Action: 'exec_die' })).toBe('ignore');
    expect(containerEventEffect({ ...base, Action: 'health_status: unhealthy' })).toBe('changed');
    expect(containerEventEffect({ ...base, Action: 'rename' })).toBe('changed');
    expect(containerEventEffect({ ...base, Action: 'some_future_action' })).toBe('changed');
    expect(containerEventEffect({ ...base, Type: 'network' })).toBe('ignore');
    for (const odd of [null, 42, 'start', [], {}, { Type: 'container', Action: 'start', Actor: { ID: '../x' } }]) {
      expect(containerEventEffect(odd)).toBe('ignore');
    }
  });
});
