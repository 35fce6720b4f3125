import { describe, expect, it } from 'vitest';
import { exportFileName } from '../../../src/core/present/exportName';

describe('exportFileName', () => {
  it('names the target and the UTC sample time', () => {
    expect(exportFileName('Local', '2026-11-25T13:28:35.123Z')).toBe('docker-monitor-Local-20261125-132835.json');
    expect(exportFileName('root@127.0.0.1:2222', '2026-01-02T03:04:05Z')).toBe(
      'docker-monitor-root_127.0.0.1_2222-20260102-030405.json',
    );
  });

  it('keeps path separators, dots at the start and odd characters out', () => {
    for (const name of ['../../etc/passwd', 'a/b\\c', '..', 'build box (2)', '名前', '\u202etxt.exe']) {
      const f = exportFileName(name, '2026-11-25T13:28:35Z');
      expect(f).toMatch(/^docker-monitor-[A-Za-z0-9._-]+-20261125-132835\.json$/);
      expect(f.slice('docker-monitor-'.length)).not.toMatch(/^\./);
      expect(f).not.toContain('/');
    }
    expect(exportFileName('..', '2026-11-25T13:28:35Z')).toBe('docker-monitor-target-20261125-132835.json');
  });

  it('survives a bad time', () => {
    expect(exportFileName('x', 'not a time')).toBe('docker-monitor-x-unknown-time.json');
  });
});
