// Which Docker events trigger a refresh, checked on a real event stream (create, attach, start, die, destroy of a
// short-lived container, see test/unit/fixtures/docker) and on the noisy kinds a daemon sends all day.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src/core/docker/engineApi';
import { isContainerChangeEvent } from '../../../src/core/targets/dockerEvents';

const stream = readFileSync(join(__dirname, '../fixtures/docker/events-stream.json'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as EngineEvent);

describe('isContainerChangeEvent', () => {
  it('keeps create, start, die and destroy of a real stream and drops attach', () => {
    expect(stream.map((e) => [e.Action, isContainerChangeEvent(e)])).toEqual([
      ['create', true],
      ['attach', false],
      ['start', true],
      ['die', true],
      ['destroy', true],
    ]);
  });

  it('ignores exec events (a health check fires three per run) and other object types; a health change counts', () => {
    const base = stream[2];
    for (const exec of ['exec_create: sh -c true', 'exec_start: sh -c true', 'exec_die']) {
      expect(isContainerChangeEvent({ ...base, Action: exec })).toBe(false);
    }
    // The daemon sends health_status only when the health changes, and the status text shows it.
    expect(isContainerChangeEvent({ ...base, Action: 'health_status: healthy' })).toBe(true);
    expect(isContainerChangeEvent({ ...base, Action: 'rename' })).toBe(true);
    expect(isContainerChangeEvent({ ...base, Type: 'network', Action: 'connect' })).toBe(false);
    expect(isContainerChangeEvent({ ...base, Type: 'image', Action: 'destroy' })).toBe(false);
    expect(isContainerChangeEvent({ ...base, Action: 'stop' })).toBe(true);
  });

  it('understands the legacy `status` field of old daemons', () => {
    expect(isContainerChangeEvent({ Type: 'container', Action: '', status: 'stop' })).toBe(true);
    expect(isContainerChangeEvent({ Type: 'container', Action: '', status: 'attach' })).toBe(false);
  });
});
