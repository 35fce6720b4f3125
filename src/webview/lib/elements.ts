// The @vscode-elements components the panels use (each import registers its custom element).
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import { el } from './dom';

/** A vscode-button with a codicon; secondary buttons for everything but the page's main action. */
export function button(label: string, iconName: string, onClick: () => void, secondary = true): HTMLElement {
  const b = el('vscode-button', { text: label, attrs: { icon: iconName } });
  if (secondary) b.setAttribute('secondary', '');
  b.addEventListener('click', onClick);
  return b;
}

/** A search box; calls `onChange` on every keystroke with the current text. */
export function filterField(placeholder: string, value: string, onChange: (text: string) => void): HTMLElement {
  const f = el('vscode-textfield', {
    className: 'filter',
    attrs: { placeholder, 'aria-label': placeholder, type: 'search' },
  }) as HTMLElement & { value: string };
  f.value = value;
  const lead = el('span', {
    className: 'codicon codicon-filter',
    attrs: { slot: 'content-before', 'aria-hidden': 'true' },
  });
  f.appendChild(lead);
  f.addEventListener('input', () => onChange(f.value));
  return f;
}

export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void): HTMLElement {
  const c = el('vscode-checkbox', { attrs: { label } }) as HTMLElement & { checked: boolean };
  c.checked = checked;
  c.addEventListener('change', () => onChange(c.checked));
  return c;
}

export function badge(text: string, variant: 'default' | 'counter' = 'counter'): HTMLElement {
  return el('vscode-badge', { text, attrs: { variant } });
}
