/** Runway's promptText limit (UTF-16 code units), see shared/specs/runway.md. */
export const PROMPT_LIMIT = 1000;

const tidy = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * Stand-in for the generation feature's `combinePrompt(userPrompt, systemPrompt)` (same signature
 * and rule: the creator's words first, then the house style, within the limit). When that lands,
 * import it from '../generation/prompt.js' instead, so the preview is exactly what is sent.
 */
function combinePrompt(userPrompt: string, systemPrompt: string, limit = PROMPT_LIMIT): string | undefined {
  const joined = [tidy(userPrompt), tidy(systemPrompt)].filter(Boolean);
  if (!joined.length) return undefined;
  if (joined.length === 2 && !/[.!?]$/.test(joined[0]!)) joined[0] += '.';
  return joined.join(' ').slice(0, limit);
}

/** The prompt a generation would send for `userPrompt` under `systemPrompt`, and whether it was cut. */
export function finalPrompt(systemPrompt: string, userPrompt: string): { text: string; truncated: boolean } {
  const text = combinePrompt(userPrompt, systemPrompt) ?? '';
  const whole = combinePrompt(userPrompt, systemPrompt, Infinity) ?? '';
  return { text, truncated: text.length < whole.length };
}
