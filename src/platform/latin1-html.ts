/**
 * Pages are written with characters up to U+00FF only; anything above is sent as a numeric
 * character reference (`→` as `&#x2192;`), which a browser shows exactly the same.
 *
 * Why: V8 stores a string whose characters all fit in one byte at one byte each. A single arrow in
 * a template, or an emoji in a clip's prompt, turns the whole rendered page into a two-byte string,
 * and turning Eta's output (thousands of concatenated pieces) into the bytes sent then costs twice
 * as much: about 1 ms more on a 30-clip project page, a third of its CPU (README, "Benchmarks").
 */

const ESCAPED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
// `u`: an emoji (two UTF-16 units) is one match, so it becomes one reference.
const NEEDS_ESCAPE = /[&<>"']|[^\0-\xff]/u;
const NEEDS_ESCAPE_ALL = /[&<>"']|[^\0-\xff]/gu;
const ABOVE_LATIN1 = /[^\0-\xff]/u;
const ABOVE_LATIN1_ALL = /[^\0-\xff]/gu;

const reference = (ch: string) => `&#x${ch.codePointAt(0)!.toString(16)};`;

/** Eta's escape function: HTML-escapes a value and writes characters above U+00FF as references. */
export function escapeHtml(value: unknown): string {
  const s = String(value);
  return NEEDS_ESCAPE.test(s) ? s.replace(NEEDS_ESCAPE_ALL, (ch) => ESCAPED[ch] ?? reference(ch)) : s;
}

/** Characters above U+00FF in text that is already HTML, as references. */
export function latin1(html: string): string {
  return ABOVE_LATIN1.test(html) ? html.replace(ABOVE_LATIN1_ALL, reference) : html;
}

/** An Eta plugin: the templates' own text (not their code) gets the same treatment once, when compiled. */
export const latin1Templates = {
  processAST<Part>(buffer: Part[]): Part[] {
    return buffer.map((part) => (typeof part === 'string' ? (latin1(part) as Part) : part));
  },
};
