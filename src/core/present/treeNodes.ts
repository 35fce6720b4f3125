// The elements of the Targets tree: plain data that names what a row stands for. Commands receive them as
// their argument when invoked from the tree, so they carry the ids a command needs (target, container, PID).
import type { ErrorCode } from '../errors';
import type { AlertRuleId, AlertSubject } from '../alerts/types';

/** The `contextValue`s that package.json menus match on. */
export type ContextValue =
  | 'target.local'
  | 'target.ssh'
  | 'target.error'
  | 'host'
  | 'container.running'
  | 'container.stopped'
  | 'process'
  | 'alert';

/** Why a message row is there. */
export type MessageRole =
  /** The target cannot connect (or lost its connection): the error, with a retry action. */
  | 'connection'
  /** The first connection is being made. */
  | 'connecting'
  /** Connected, no snapshot yet. */
  | 'waiting'
  /** Under Containers: the Docker API cannot be used on this host. */
  | 'docker'
  /** Under Containers: Docker answers and has no containers. */
  | 'noContainers';

interface NodeBase {
  /** Stable across refreshes: VS Code keeps expansion and selection by it. */
  id: string;
  targetId: string;
}

interface TargetNode extends NodeBase {
  kind: 'target';
  targetKind: 'local' | 'ssh';
}

interface HostNode extends NodeBase {
  kind: 'host';
}

/** The host's live figures, a leaf under the host row (see addHost for why they are not on the host row). */
interface HostUsageNode extends NodeBase {
  kind: 'hostUsage';
}

interface ContainersNode extends NodeBase {
  kind: 'containers';
}

interface ComposeProjectNode extends NodeBase {
  kind: 'composeProject';
  project: string;
}

interface ContainerNode extends NodeBase {
  kind: 'container';
  containerId: string;
}

export interface ProcessNode extends NodeBase {
  kind: 'process';
  /** Host PID. */
  pid: number;
  /** Start time in clock ticks after boot: with the PID, the process's identity across snapshots. */
  startTicks: number;
  containerId: string | null;
}

interface HostProcessesNode extends NodeBase {
  kind: 'hostProcesses';
}

interface ShowAllNode extends NodeBase {
  kind: 'showAll';
  /** True when all host processes are shown (the row then offers the top ones only). */
  showingAll: boolean;
}

interface AlertsNode extends NodeBase {
  kind: 'alerts';
}

/** One alert, active or recent; `subject` names what it is about (a container id, or the target for host rules). */
interface AlertNode extends NodeBase {
  kind: 'alert';
  key: string;
  rule: AlertRuleId;
  subject: AlertSubject;
  active: boolean;
}

export interface MessageNode extends NodeBase {
  kind: 'message';
  role: MessageRole;
  /** MonitorError code of a connection failure, else null. */
  errorCode: ErrorCode | null;
}

export type TreeNode =
  | TargetNode
  | HostNode
  | HostUsageNode
  | ContainersNode
  | ComposeProjectNode
  | ContainerNode
  | ProcessNode
  | HostProcessesNode
  | ShowAllNode
  | AlertsNode
  | AlertNode
  | MessageNode;

// Ids are `<kind>:<targetId>[:<suffix>]`. Target ids may hold ':' ('ssh:<name>'), so every suffix is free of
// ':' (hex ids, numbers, or URI-encoded text) and the fixed number of suffix parts keeps ids unambiguous.
export const nodeIds = {
  target: (targetId: string): string => `target:${targetId}`,
  host: (targetId: string): string => `host:${targetId}`,
  hostUsage: (targetId: string): string => `hostUsage:${targetId}`,
  containers: (targetId: string): string => `containers:${targetId}`,
  composeProject: (targetId: string, project: string): string => `compose:${targetId}:${encodeURIComponent(project)}`,
  container: (targetId: string, containerId: string): string =>
    `container:${targetId}:${encodeURIComponent(containerId)}`,
  process: (targetId: string, pid: number, startTicks: number): string => `process:${targetId}:${pid}:${startTicks}`,
  hostProcesses: (targetId: string): string => `hostProcesses:${targetId}`,
  showAll: (targetId: string): string => `showAll:${targetId}`,
  message: (targetId: string, role: MessageRole): string => `message:${targetId}:${role}`,
  alerts: (targetId: string): string => `alerts:${targetId}`,
  alert: (targetId: string, key: string): string => `alert:${targetId}:${encodeURIComponent(key)}`,
};
