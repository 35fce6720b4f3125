// Which rows of a target to redraw after a refresh. VS Code redraws a fired element together with its subtree,
// so the answer is the smallest set of rows that covers every change: a row whose children changed (it re-lists
// them), or a row whose own text, icon or tooltip changed. Unchanged rows are left alone, which keeps a
// refresh cheap and leaves the user's expansion, selection and scroll position as they were.
import type { PresentedNode, TargetTree } from './treeRows';

function sameRow(a: PresentedNode, b: PresentedNode): boolean {
  return (
    a.label === b.label &&
    a.description === b.description &&
    a.tooltip === b.tooltip &&
    a.icon.id === b.icon.id &&
    a.icon.color === b.icon.color &&
    a.collapsible === b.collapsible &&
    a.contextValue === b.contextValue &&
    a.command?.command === b.command?.command &&
    a.command?.title === b.command?.title &&
    JSON.stringify(a.node) === JSON.stringify(b.node)
  );
}

function sameChildren(a: PresentedNode, b: PresentedNode): boolean {
  return a.childIds.length === b.childIds.length && a.childIds.every((id, i) => b.childIds[i] === id);
}

/** Ids of the rows of `after` to redraw, parents before children, none inside another's subtree. */
export function changedNodeIds(before: TargetTree, after: TargetTree): string[] {
  const changed: string[] = [];
  const visit = (id: string): void => {
    const now = after.nodes.get(id);
    if (!now) return;
    const then = before.nodes.get(id);
    if (!then || !sameChildren(then, now) || !sameRow(then, now)) {
      changed.push(id);
      return;
    }
    for (const child of now.childIds) visit(child);
  };
  visit(after.rootId);
  return changed;
}
