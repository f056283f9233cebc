/** Runway's promptText limit, counted in UTF-16 code units (JavaScript string length). */
export const PROMPT_LIMIT = 1000;
/** Below this, what is left of the system prompt would be a meaningless fragment: leave it out. */
const MIN_STYLE_ROOM = 24;

function tidy(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Cuts at a word boundary when one is near, never inside a surrogate pair. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const space = cut.lastIndexOf(' ');
  if (space > max * 0.6) cut = cut.slice(0, space);
  return cut.replace(/[\s,;:–-]+$/, '');
}

/**
 * The prompt sent to the provider: the creator's words first (they describe this clip), then the
 * admin's system prompt (the house style). When both do not fit, the style is shortened or dropped;
 * the creator's prompt is only cut when it alone is over the limit. Undefined when both are empty.
 */
export function combinePrompt(userPrompt: string, systemPrompt: string, limit = PROMPT_LIMIT): string | undefined {
  const user = tidy(userPrompt);
  const style = tidy(systemPrompt);
  if (!user && !style) return undefined;
  if (!style) return truncateText(user, limit);
  if (!user) return truncateText(style, limit);
  const joined = /[.!?]$/.test(user) ? `${user} ` : `${user}. `;
  const room = limit - joined.length;
  if (room < MIN_STYLE_ROOM) return truncateText(user, limit);
  return joined + truncateText(style, room);
}
