// Text from a target (container names, compose labels, process names and command lines) is user data: a process
// can call itself "[x](command:...)" or "<img onerror=...>", or hold a newline or a bidi override. These helpers
// make such text inert wherever the views show it.
import { escapeControlChars } from '../escape';

/** One line of plain text: every control or reordering character shown as an escape (`\n`, `\u202e`). */
export function plainText(text: string): string {
  return escapeControlChars(text);
}

// CommonMark lets a backslash escape any ASCII punctuation, which then renders as itself. Escaping all of it (not
// only today's syntax) also defeats autolinks ("http:", "www.") and `$(icon)` syntax.
const MARKDOWN_PUNCTUATION = /[!-/:-@[-`{-~]/g;

/** Text that renders literally inside Markdown: no links, no HTML, no emphasis, no line structure. */
export function escapeMarkdown(text: string): string {
  // Leading spaces would make a line an indented code block, where escapes show as backslashes: a character
  // reference is a space that block parsing does not count.
  return plainText(text)
    .replace(MARKDOWN_PUNCTUATION, (ch) => `\\${ch}`)
    .replace(/^ +/, (spaces) => '&#32;'.repeat(spaces.length));
}

/**
 * VS Code renders `$(name)` as an icon in QuickPick labels, descriptions and details; `\$(` shows it as typed.
 * Controls are shown as escapes too, since those strings are a single line.
 */
export function escapeIcons(text: string): string {
  return plainText(text).replace(/\$\(/g, '\\$(');
}

/** A Markdown tooltip assembled from fixed labels and escaped values. */
export class MarkdownLines {
  private readonly lines: string[] = [];

  /** A bold heading line; `text` is escaped. */
  title(text: string): this {
    this.lines.push(`**${escapeMarkdown(text)}**`);
    return this;
  }

  /** `label: value`; the label is ours (used as is), the value is escaped. Skipped when value is null. */
  field(label: string, value: string | null | undefined): this {
    if (value !== null && value !== undefined && value !== '') this.lines.push(`${label}: ${escapeMarkdown(value)}`);
    return this;
  }

  /** A line of escaped text. */
  text(value: string): this {
    this.lines.push(escapeMarkdown(value));
    return this;
  }

  /** A line of our own Markdown (never target data). */
  raw(markdown: string): this {
    this.lines.push(markdown);
    return this;
  }

  /** A paragraph break. */
  gap(): this {
    if (this.lines.length > 0 && this.lines[this.lines.length - 1] !== '') this.lines.push('');
    return this;
  }

  toString(): string {
    // Two trailing spaces make a line break inside a paragraph; an empty line starts a new paragraph.
    const out: string[] = [];
    this.lines.forEach((line, i) => {
      const next = this.lines[i + 1];
      out.push(line === '' || next === undefined || next === '' ? line : `${line}  `);
    });
    while (out.length > 0 && out[out.length - 1] === '') out.pop();
    return out.join('\n');
  }
}
