// Gap rules: each looks at one kind of mismatch between the process, container and host levels and
// reports it with the snapshot's own numbers. A rule never throws; missing figures make it stay silent.
// This file lists them; each lives with its kind (gapRulesLimits, gapRulesIsolation, gapRulesInside, gapRulesHealth,
// gapRulesPressure).
import type { GapRule } from './gapFinding';
import {
  cpuThrottled,
  memoryFailCount,
  memoryNearLimit,
  noCpuLimit,
  noMemoryLimit,
  noPidsLimit,
  oomKilled,
  pidsNearLimit,
} from './gapRulesLimits';
import { hostNetwork, hostPidNamespace, privileged, vethUnpaired } from './gapRulesIsolation';
import { pidMapping, procCpuinfoShowsHost, procMeminfoShowsHost, rssVsCgroup } from './gapRulesInside';
import {
  cgroupV2NoPerCpu,
  diskNearFull,
  dockerApiUnreachable,
  restartLoop,
  unhealthy,
  unmappedProcess,
} from './gapRulesHealth';
import { cpuPressureNotThrottled, memoryPressureBelowLimit } from './gapRulesPressure';

/** Every rule, in no particular order: analyzeGaps sorts the result. */
export const GAP_RULES: readonly GapRule[] = [
  noMemoryLimit,
  noPidsLimit,
  noCpuLimit,
  hostNetwork,
  hostPidNamespace,
  privileged,
  memoryNearLimit,
  oomKilled,
  memoryFailCount,
  cpuThrottled,
  pidsNearLimit,
  rssVsCgroup,
  procMeminfoShowsHost,
  procCpuinfoShowsHost,
  pidMapping,
  vethUnpaired,
  restartLoop,
  unhealthy,
  unmappedProcess,
  dockerApiUnreachable,
  cgroupV2NoPerCpu,
  diskNearFull,
  memoryPressureBelowLimit,
  cpuPressureNotThrottled,
];
