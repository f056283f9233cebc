/** A page's text with the numeric character references it is sent with (src/platform/ascii-html.ts) turned back into characters. */
export function decoded(html: string): string {
  return html.replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)));
}
