// The file name "Export Snapshot" proposes: the target and the sample time, safe on every file system.

/** `docker-monitor-<target>-<YYYYMMDD-HHMMSS>.json` (UTC), with anything but letters, digits, `.`, `_` and `-` replaced. */
export function exportFileName(targetName: string, collectedAt: string): string {
  const safe =
    targetName
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+|_+$/g, '')
      .slice(0, 60) || 'target';
  const t = new Date(collectedAt);
  const stamp = Number.isNaN(t.getTime())
    ? 'unknown-time'
    : t
        .toISOString()
        .replace(/\.\d+Z$/, '')
        .replace(/-|:/g, '')
        .replace('T', '-');
  return `docker-monitor-${safe}-${stamp}.json`;
}
