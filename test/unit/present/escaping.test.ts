// Target data in tooltips, labels and QuickPicks must render as the text it is. Tooltips are checked by rendering
// them with a real CommonMark renderer (markdown-it, as installed with @vscode/vsce), with raw HTML and linkify
// switched ON: stricter than VS Code's hovers, so escaping that holds here holds there.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { buildTargetTree } from '../../../src/core/present/treeModel';
import type { TargetTree } from '../../../src/core/present/treeRows';
import { escapeIcons, escapeMarkdown, MarkdownLines, plainText } from '../../../src/core/present/text';
import { containerPickItems, processPickItems } from '../../../src/core/present/quickPicks';
import { MAX_SHOWN_CHARS, truncationMarker } from '../../../src/core/escape';
import { loadSnapshot, localTarget } from './load';

type Renderer = { render(src: string): string };
const MarkdownIt = createRequire(import.meta.url)('markdown-it') as new (options: {
  html: boolean;
  linkify: boolean;
}) => Renderer;
const markdown = new MarkdownIt({ html: true, linkify: true });

/** The HTML tags markdown produced, and the text a reader sees. */
function rendered(src: string): { tags: string[]; text: string } {
  const html = markdown.render(src);
  const tags = [...html.matchAll(/<\/?([a-z][a-z0-9]*)/gi)].map((m) => m[1].toLowerCase());
  const text = html
    .replace(/<br\s*\/?>\n?/g, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
  return { tags, text };
}

const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '[click](command:workbench.action.quit)',
  '![i](https://evil.example/x.png)',
  'www.evil.example and https://evil.example',
  '**bold** _em_ `code` ~~s~~',
  '# heading',
  '> quote',
  '1. list',
  '- item',
  '| a | b |',
  '&lt; &amp;',
  '$(zap) $(loading~spin)',
  'a\\b\\',
  '    indented',
];

describe('escapeMarkdown', () => {
  for (const text of HOSTILE) {
    it(`renders ${JSON.stringify(text)} as itself, with no markup`, () => {
      const { tags, text: seen } = rendered(`x: ${escapeMarkdown(text)}`);
      expect(tags).toEqual(['p', 'p']);
      expect(seen.trim()).toBe(`x: ${text}`.trim());
    });
    it(`renders ${JSON.stringify(text)} as itself at the start of a paragraph`, () => {
      const { tags, text: seen } = rendered(new MarkdownLines().title('t').gap().text(text).toString());
      expect(tags.filter((t) => t !== 'strong')).toEqual(['p', 'p', 'p', 'p']);
      expect(seen).toBe(`t\n${text}\n`);
    });
  }

  it('shows control and reordering characters as escapes instead of acting on them', () => {
    expect(plainText('a\nb\r\tc\u0000\u001b[31m\u009b\u202eevil\u2066\u2028')).toBe(
      'a\\nb\\r\\tc\\0\\x1b[31m\\x9b\\u202eevil\\u2066\\u2028',
    );
    const { text } = rendered(escapeMarkdown('line1\nline2 \u202eevil'));
    expect(text.trim()).toBe('line1\\nline2 \\u202eevil');
  });
});

describe('MarkdownLines', () => {
  it('keeps our bold titles and line breaks, and escapes values', () => {
    const src = new MarkdownLines().title('a*b').field('CPU', '5% <b>').gap().text('[x](y)').toString();
    const { tags, text } = rendered(src);
    expect(tags.filter((t) => t === 'strong')).toHaveLength(2);
    expect(tags).not.toContain('a');
    expect(tags).not.toContain('b');
    expect(text).toBe('a*b\nCPU: 5% <b>\n[x](y)\n');
  });

  it('skips empty values', () => {
    expect(new MarkdownLines().field('A', null).field('B', '').field('C', undefined).field('D', '1').toString()).toBe(
      'D: 1',
    );
  });
});

describe('tooltips of hostile target data (captured from real containers and processes)', () => {
  const s = loadSnapshot('local-2');
  const tree: TargetTree = buildTargetTree(localTarget(s), { showAllHostProcesses: true });
  const hostileProject = s.containers.find((c) => c.name === 'dmtree-hostile')!.compose!.project;
  const hostileProcess = s.processes.find((p) => p.name.startsWith('<b>'))!;

  it('holds the hostile data the capture made', () => {
    expect(hostileProject).toContain('<img src=x onerror=alert(1)>');
    expect(hostileProject).toContain('\n');
    expect(hostileProject).toContain('\u202e');
    expect(hostileProcess.command).toContain('<script>');
  });

  it('renders no link, image, HTML or formatting from any tooltip', () => {
    const allowed = new Set(['p', 'strong', 'br']);
    for (const row of tree.nodes.values()) {
      const { tags } = rendered(row.tooltip);
      const extra = tags.filter((t) => !allowed.has(t));
      expect(extra, `${row.node.id}: ${row.tooltip}`).toEqual([]);
    }
  });

  it('shows the compose project label literally in its tooltip, and as one plain line in the tree', () => {
    const id = `compose:local:${encodeURIComponent(hostileProject)}`;
    const row = tree.nodes.get(id)!;
    expect(row).toBeDefined();
    expect(rendered(row.tooltip).text).toContain(`Compose project ${plainText(hostileProject)}`);
    expect(row.label).toBe(plainText(hostileProject));
    expect(row.label).not.toMatch(/[\n\u202e]/);
    const container = tree.nodes.get(row.childIds[0])!;
    expect(rendered(container.tooltip).text).toContain(`Compose: ${plainText(hostileProject)}`);
  });

  it('shows a hostile process name and command line literally', () => {
    const row = tree.nodes.get(`process:local:${hostileProcess.pid}:${hostileProcess.startTicks}`)!;
    expect(row.label).toBe(hostileProcess.name);
    const { text, tags } = rendered(row.tooltip);
    expect(text.startsWith(`${hostileProcess.name}\n`)).toBe(true);
    expect(text).toContain(`Command: ${hostileProcess.command}`);
    expect(tags).not.toContain('script');
  });

  it('escapes icon syntax and controls in QuickPick strings', () => {
    const item = containerPickItems(s).find((i) => i.label.includes('dmtree-hostile'))!;
    expect(item.detail).toContain('\\$(zap)');
    expect(item.detail).not.toMatch(/(^|[^\\])\$\(zap\)/);
    expect(item.detail).not.toMatch(/[\n\u202e]/);
    expect(escapeIcons('$(a) \\$(b)')).toBe('\\$(a) \\\\$(b)');
    const proc = processPickItems(s).find((i) => i.value.pid === hostileProcess.pid)!;
    expect(proc.label).toBe(`$(server-process) ${hostileProcess.name}`);
  });
});

describe('long text', () => {
  // A command line can be 2 MiB: every view shows the first MAX_SHOWN_CHARS and says how much is missing.
  it('is cut at MAX_SHOWN_CHARS with a marker naming the characters left out, before escaping', () => {
    const long = `\n${'x'.repeat(MAX_SHOWN_CHARS + 10)}`;
    const shown = plainText(long);
    expect(shown).toBe(`\\n${'x'.repeat(MAX_SHOWN_CHARS - 1)}${truncationMarker(11)}`);
    expect(plainText('x'.repeat(MAX_SHOWN_CHARS))).toBe('x'.repeat(MAX_SHOWN_CHARS));
  });

  it('never cuts a surrogate pair in half', () => {
    const shown = plainText(`${'x'.repeat(MAX_SHOWN_CHARS - 1)}😀tail`);
    expect(shown).toBe(`${'x'.repeat(MAX_SHOWN_CHARS - 1)}${truncationMarker(6)}`);
  });
});
