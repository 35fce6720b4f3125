import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../../src/core/escape';
import { contentSecurityPolicy, makeNonce, panelHtml } from '../../../src/vscode/panels/html';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
const parts = {
  title: 'Metrics · <img src=x onerror=alert(1)>',
  cspSource: CSP_SOURCE,
  nonce: 'n0nc3_-AbC',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/metrics.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/metrics.css',
  codiconUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/codicons/codicon.css',
};

function csp(html: string): Map<string, string[]> {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  if (!m) throw new Error('no CSP meta');
  const text = m[1].replace(/&#39;/g, "'");
  return new Map(
    text.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

describe('panelHtml', () => {
  const html = panelHtml(parts);

  it('has a CSP that denies by default and allows scripts only with the nonce', () => {
    const p = csp(html);
    expect(p.get('default-src')).toEqual(["'none'"]);
    expect(p.get('script-src')).toEqual([`'nonce-${parts.nonce}'`]);
    expect(p.get('style-src')).toEqual([CSP_SOURCE, `'nonce-${parts.nonce}'`]);
    expect(p.get('font-src')).toEqual([CSP_SOURCE]);
    expect(p.get('img-src')).toEqual([CSP_SOURCE, 'data:']);
    expect(html).not.toContain('unsafe-inline');
    expect(html).not.toContain('unsafe-eval');
  });

  it('loads only the given resources, each script with the nonce', () => {
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts).toEqual([` nonce="${parts.nonce}" src="${parts.scriptUri}"`]);
    const links = [...html.matchAll(/<link ([^>]*)>/g)].map((m) => m[1]);
    expect(links).toHaveLength(2);
    expect(links[0]).toContain('id="vscode-codicon-stylesheet"');
    expect(links[0]).toContain(`href="${parts.codiconUri}"`);
    expect(links[1]).toContain(`href="${parts.styleUri}"`);
    // No inline event handlers or inline styles anywhere.
    expect(html).not.toMatch(/<[^>]*\son[a-z]+=/i);
    expect(html).not.toMatch(/<[^>]*\sstyle=/i);
  });

  it('escapes the title', () => {
    expect(html).toContain('<title>Metrics · &lt;img src=x onerror=alert(1)&gt;</title>');
    expect(html).not.toContain('<img');
  });

  it('escapeHtml covers the five characters that matter in text and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('contentSecurityPolicy puts the nonce in script-src and style-src', () => {
    expect(contentSecurityPolicy('vscode-resource:', 'abc')).toBe(
      "default-src 'none'; img-src vscode-resource: data:; style-src vscode-resource: 'nonce-abc'; font-src vscode-resource:; script-src 'nonce-abc'",
    );
  });
});

describe('makeNonce', () => {
  it('is 128 random bits in base64url, new each time', () => {
    const nonces = new Set(Array.from({ length: 200 }, makeNonce));
    expect(nonces.size).toBe(200);
    for (const n of nonces) expect(n).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
