// Colours for what CSS cannot style (the chart canvases), read from VS Code's theme variables.

export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

/**
 * VS Code swaps the body's theme class (vscode-light, vscode-dark, vscode-high-contrast...) and the variables
 * on a theme change: canvases have to be redrawn with the new colours.
 */
export function onThemeChange(cb: () => void): void {
  let last = `${document.body.className}|${document.documentElement.getAttribute('style') ?? ''}`;
  const observer = new MutationObserver(() => {
    const now = `${document.body.className}|${document.documentElement.getAttribute('style') ?? ''}`;
    if (now === last) return;
    last = now;
    cb();
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
}
