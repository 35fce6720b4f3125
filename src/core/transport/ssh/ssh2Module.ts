// ssh2, loaded when the first SSH connection opens or a key is checked: evaluating it is tens of milliseconds at
// start that a local-only CLI run or a window with only Local never needs (measured in BENCHMARKS.md).
import type * as Ssh2Namespace from 'ssh2';

type Ssh2 = typeof Ssh2Namespace;

let loading: Promise<Ssh2> | null = null;

export function loadSsh2(): Promise<Ssh2> {
  // A CommonJS package: its exports are the namespace's `default` once bundled, the namespace itself in vitest.
  loading ??= import('ssh2').then((m) => ((m as { default?: Ssh2 }).default ?? m) as Ssh2);
  return loading;
}
