import { isAscii } from 'node:buffer';

/**
 * Pages are written in ASCII: any other character is sent as a numeric character reference
 * (`→` as `&#x2192;`, `é` as `&#xe9;`), which a browser shows exactly the same.
 *
 * Why: V8 stores a string whose characters all fit in one byte at one byte each, and a string of
 * ASCII is its own UTF-8. A single arrow in a template, or an emoji in a prompt, made the whole
 * rendered page a two-byte string; turning Eta's output (thousands of concatenated pieces) into
 * UTF-8 then cost about 1.3 ms on a 30-clip project page, a third of its CPU. As ASCII it is
 * copied byte for byte instead (decision 0036).
 */

const ESCAPED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
// `u`: an emoji (two UTF-16 units) is one match, so it becomes one reference.
const NEEDS_ESCAPE = /[&<>"']|[^\0-\x7f]/u;
const NEEDS_ESCAPE_ALL = /[&<>"']|[^\0-\x7f]/gu;
const NOT_ASCII = /[^\0-\x7f]/u;
const NOT_ASCII_ALL = /[^\0-\x7f]/gu;

const reference = (ch: string) => `&#x${ch.codePointAt(0)!.toString(16)};`;

/** Eta's escape function: HTML-escapes a value and writes characters outside ASCII as references. */
export function escapeHtml(value: unknown): string {
  const s = String(value);
  return NEEDS_ESCAPE.test(s) ? s.replace(NEEDS_ESCAPE_ALL, (ch) => ESCAPED[ch] ?? reference(ch)) : s;
}

/** Characters outside ASCII in text that is already HTML, as references. */
export function asciiHtml(html: string): string {
  return NOT_ASCII.test(html) ? html.replace(NOT_ASCII_ALL, reference) : html;
}

/**
 * A template's own indentation, dropped: a run of white space becomes one line break if it holds
 * one, else one space. HTML collapses white space anyway (no template writes literal text into a
 * `pre` or a `textarea`: their content is always interpolated, and interpolated values are never
 * touched), so a page looks the same; the 30-clip project page was 16 KB of indentation out of 208 KB.
 */
export function dropIndentation(html: string): string {
  return html.replace(/[ \t]*\n\s*/g, '\n').replace(/[ \t]{2,}/g, ' ');
}

/**
 * An Eta plugin: the templates' own text (not their code) gets the same treatment once, when
 * compiled: ASCII, and no indentation.
 */
export const asciiTemplates = {
  processAST<Part>(buffer: Part[]): Part[] {
    return buffer.map((part) => (typeof part === 'string' ? (etaString(dropIndentation(asciiHtml(etaText(part)))) as Part) : part));
  },
};

// Eta keeps a template's text in its AST as the inside of a JS string literal: a backslash, a quote
// and a line break escaped (`\\`, `\'`, `\n`). These two go from that to the text and back.
const etaText = (s: string) => s.replace(/\\(.)/gs, (_, ch: string) => (ch === 'n' ? '\n' : ch));
const etaString = (s: string) => s.replace(/\\|'/g, '\\$&').replace(/\r\n|\n|\r/g, '\\n');

/**
 * A rendered page as UTF-8 bytes: copied byte for byte when it is ASCII (it is, unless something
 * wrote raw non-ASCII text past the escaping), encoded properly otherwise.
 */
export function pageBytes(html: string): Buffer {
  const bytes = Buffer.from(html, 'latin1');
  return isAscii(bytes) ? bytes : Buffer.from(html, 'utf8');
}
