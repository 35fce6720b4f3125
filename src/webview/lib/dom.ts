// DOM building without innerHTML: every string from a target (container names, labels, commands) goes in as
// text, so markup in it stays text. Text nodes, titles and attributes also pass through escapeControlChars (the
// one escaper of src/core/escape.ts): a newline, an ANSI escape or a bidi override shows as `\n`, `\x1b`,
// `\u202e` instead of reordering or hiding what is around it, and a 100 KB command line is cut.
import { escapeControlChars } from '../../core/escape';

type Child = Node | string | null | undefined | false;

export interface ElOptions {
  className?: string;
  text?: string;
  /** Left out when undefined: a row without a hover text. */
  title?: string | undefined;
  attrs?: Record<string, string>;
  onClick?: (e: MouseEvent) => void;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options?: ElOptions,
  ...children: Child[]
): HTMLElementTagNameMap[K];
export function el(tag: string, options?: ElOptions, ...children: Child[]): HTMLElement;
export function el(tag: string, options: ElOptions = {}, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = escapeControlChars(options.text);
  if (options.title) node.title = escapeControlChars(options.title);
  for (const [k, v] of Object.entries(options.attrs ?? {})) node.setAttribute(k, escapeControlChars(v));
  if (options.onClick) node.addEventListener('click', options.onClick);
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(escapeControlChars(c)) : c);
  }
}

/** Replaces all children. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

export function icon(name: string, label?: string): HTMLSpanElement {
  const span = el('span', { className: `codicon codicon-${name}` });
  if (label) {
    span.setAttribute('role', 'img');
    span.setAttribute('aria-label', label);
  } else span.setAttribute('aria-hidden', 'true');
  return span;
}

/** A link-styled button (keyboard reachable) for actions such as "show in tree". */
export function linkButton(
  text: string,
  onClick: () => void,
  options: { icon?: string; title?: string } = {},
): HTMLButtonElement {
  const b = el('button', { className: 'link-button', title: options.title, attrs: { type: 'button' } });
  if (options.icon) append(b, icon(options.icon));
  append(b, text);
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    onClick();
  });
  return b;
}

/** An icon-only button with an accessible name. */
export function iconButton(name: string, label: string, onClick: () => void): HTMLButtonElement {
  const b = el(
    'button',
    { className: 'icon-button', title: label, attrs: { type: 'button', 'aria-label': label } },
    icon(name),
  );
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    onClick();
  });
  return b;
}

/** Calls `fn` once per animation frame at most, with the latest arguments: a burst of replayed updates draws once. */
export function coalesce(fn: () => void): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      fn();
    });
  };
}
