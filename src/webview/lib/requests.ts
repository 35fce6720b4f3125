// What a panel asks the extension about a host, container or process (open a panel on it, show it in the tree):
// one spelling for every panel.
import type { WebviewMessage } from '../../shared/protocol';

type Kind = 'host' | 'container' | 'process';

export function openPanel(panel: 'metrics' | 'correlation', targetId: string, kind: Kind, id: string): WebviewMessage {
  return { type: 'open', panel, targetId, kind, id };
}

export function revealRow(targetId: string, kind: Kind, id: string): WebviewMessage {
  return { type: 'reveal', targetId, kind, id };
}
