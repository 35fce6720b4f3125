// The Targets tree of one target, as plain data: every row with its label, description, Markdown tooltip, icon,
// context value and children. The VS Code provider only maps these rows to TreeItems. The row types and the
// builder are in treeRows.ts, the host and container parts in treeHost.ts and treeContainers.ts.
import { connectionProblem } from './connectionErrors';
import type { Icon } from './icons';
import { connectionFailed, statusWords, targetAddress, targetDisplayName } from './targetInput';
import type { TargetState } from './targetInput';
import { MarkdownLines, plainText } from './text';
import { nodeIds } from './treeNodes';
import type { MessageNode } from './treeNodes';
import { SEP } from './treeText';
import { targetTooltip } from './treeTooltips';
import { message, RETRY_COMMAND, TreeBuilder } from './treeRows';
import type { TargetTree, TreeOptions } from './treeRows';
import { addHost } from './treeHost';
import { addAlerts } from './treeAlerts';

function addConnectionError(b: TreeBuilder, parentId: string, t: TargetState): void {
  const problem = connectionProblem(t.errorCode);
  const error = plainText(t.summary.error ?? 'unknown error');
  const tooltip = new MarkdownLines()
    .title(problem.title)
    .text(t.summary.error ?? 'unknown error')
    .gap()
    .text(problem.advice)
    .gap()
    .raw('Click to retry.');
  const node: MessageNode = {
    kind: 'message',
    id: nodeIds.message(t.config.id, 'connection'),
    targetId: t.config.id,
    role: 'connection',
    errorCode: t.errorCode,
  };
  b.add(parentId, {
    node,
    label: problem.title,
    description: error,
    tooltip: tooltip.toString(),
    icon: problem.icon,
    collapsible: 'none',
    contextValue: 'target.error',
    command: { command: RETRY_COMMAND, title: 'Retry' },
  });
}

function targetIcon(t: TargetState): Icon {
  switch (t.summary.status) {
    case 'error':
      return { id: 'error', color: 'charts.red' };
    case 'connecting':
    case 'reconnecting':
      return { id: 'loading~spin', color: null };
    case 'paused':
      return { id: 'debug-pause', color: null };
    default:
      return { id: t.config.kind === 'local' ? 'vm' : 'remote', color: null };
  }
}

/** The rows of one target, from its state. Pure: the same input gives the same rows and ids. */
export function buildTargetTree(t: TargetState, options: TreeOptions = {}): TargetTree {
  const b = new TreeBuilder(options.isOpen ?? (() => true));
  const targetId = t.config.id;
  const name = targetDisplayName(t, options.localHostname);
  const rootId = b.add(null, {
    node: { kind: 'target', id: nodeIds.target(targetId), targetId, targetKind: t.config.kind },
    label: name,
    description: [targetAddress(t), statusWords(t.summary.status)].filter((x): x is string => !!x).join(SEP),
    tooltip: targetTooltip(t, name),
    icon: targetIcon(t),
    collapsible: 'expanded',
    contextValue: t.config.kind === 'local' ? 'target.local' : 'target.ssh',
    command: null,
  });

  if (connectionFailed(t)) addConnectionError(b, rootId, t);
  addAlerts(b, rootId, t);
  // After a failure the last snapshot is out of date: it stays visible while reconnecting only, and says so there.
  const s = t.summary.status === 'error' ? null : t.snapshot;
  if (s) {
    addHost(b, rootId, targetId, s, options);
  } else if (!connectionFailed(t)) {
    const connecting = t.summary.status === 'connecting' || t.summary.status === 'reconnecting';
    message(
      b,
      rootId,
      targetId,
      connecting ? 'connecting' : 'waiting',
      connecting
        ? {
            label: t.summary.status === 'connecting' ? 'Connecting…' : 'Reconnecting…',
            description: targetAddress(t) ?? '',
            tooltip: new MarkdownLines().text(`Connecting to ${targetAddress(t) ?? 'this machine'}.`).toString(),
            icon: { id: 'loading~spin', color: null },
          }
        : {
            label: 'Waiting for the first sample…',
            description: t.summary.status === 'paused' ? 'refresh is paused' : '',
            tooltip: new MarkdownLines()
              .text(
                t.summary.status === 'paused'
                  ? 'Refresh is paused: resume it to collect this target.'
                  : 'The first sample of this target is being collected.',
              )
              .toString(),
            icon: { id: 'watch', color: null },
          },
    );
  }
  return { targetId, rootId, nodes: b.nodes };
}
