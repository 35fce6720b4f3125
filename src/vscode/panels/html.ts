// The HTML shell of a panel's webview. No `vscode` import: the CSP and the escaping are unit-tested.
import { randomBytes } from 'node:crypto';
import { escapeHtml } from '../../core/escape';

export interface PanelHtmlParts {
  title: string;
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  /** asWebviewUri of dist/webview/<panel>.js */
  scriptUri: string;
  /** asWebviewUri of dist/webview/<panel>.css */
  styleUri: string;
  /** asWebviewUri of dist/webview/codicons/codicon.css (vscode-elements' icons look it up by id). */
  codiconUri: string;
}

/** 128 random bits; base64url so that it needs no escaping in the attribute or the CSP. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Nothing but our own files may load: scripts only with the nonce, styles and fonts only from the extension's
 * webview origin (uPlot and the elements style through the CSSOM and constructable stylesheets, which
 * style-src does not restrict, so no 'unsafe-inline').
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function panelHtml(p: PanelHtmlParts): string {
  const a = escapeHtml;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${a(contentSecurityPolicy(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${a(p.codiconUri)}" nonce="${a(p.nonce)}">
<link rel="stylesheet" href="${a(p.styleUri)}" nonce="${a(p.nonce)}">
<title>${a(p.title)}</title>
</head>
<body>
<main id="app" aria-live="polite"></main>
<script nonce="${a(p.nonce)}" src="${a(p.scriptUri)}"></script>
</body>
</html>`;
}
