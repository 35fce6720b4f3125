// Which API version to speak: the pinned one, or the nearest the daemon serves.
import type { EngineVersion } from './types';

/** The API version this client is written against; newer daemons keep serving it with the same shapes. */
const PINNED_API = '1.41';

/**
 * `/v1.41` when the daemon serves it; otherwise the nearest version it does serve (an older daemon's own
 * ApiVersion, or a newer daemon's MinAPIVersion once 1.41 is retired). Empty (unversioned) if it says nothing usable.
 */
export function chooseApiPrefix(version: Pick<EngineVersion, 'ApiVersion' | 'MinAPIVersion'>): string {
  const max = parseApiVersion(version.ApiVersion);
  if (!max) return '';
  const min = parseApiVersion(version.MinAPIVersion);
  const pinned = parseApiVersion(PINNED_API)!;
  let chosen = pinned;
  if (compareApi(max, pinned) < 0) chosen = max;
  else if (min && compareApi(min, pinned) > 0) chosen = min;
  return `/v${chosen[0]}.${chosen[1]}`;
}

function parseApiVersion(v: unknown): [number, number] | null {
  if (typeof v !== 'string') return null;
  const m = /^(\d{1,3})\.(\d{1,3})$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2])] : null;
}

function compareApi(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}
