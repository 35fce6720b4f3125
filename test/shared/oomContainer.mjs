// The container the alert tests get the kernel to OOM-kill, one spelling for the CLI's integration test, the
// extension's suite and the workbench test: 16 MiB of memory and no swap, and `tail /dev/zero`, which keeps a
// line that never ends in memory until the cgroup's limit kills it (within a second here).
export const OOM_LIMIT = '16m';

/** `docker run` arguments after the name and labels: the limits, the image and the command. */
export const OOM_RUN_ARGS = [
  '--memory',
  OOM_LIMIT,
  '--memory-swap',
  OOM_LIMIT,
  'dm-busybox:test',
  'sh',
  '-c',
  'tail /dev/zero',
];
