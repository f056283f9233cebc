/** Runway's promptText limit (UTF-16 code units), see shared/specs/runway.md. */
export const PROMPT_LIMIT = 1000;

/**
 * The prompt text a generation sends: the creator's words first (they describe this image), then
 * the admin's system prompt (the house style), cut to the provider's limit.
 * Keep in step with the generation feature's own combiner.
 */
export function finalPrompt(systemPrompt: string, userPrompt: string): { text: string; truncated: boolean } {
  const user = userPrompt.trim();
  const system = systemPrompt.trim();
  const parts = [user && !/[.!?…]$/.test(user) ? `${user}.` : user, system].filter(Boolean);
  const full = parts.join(' ');
  return { text: full.slice(0, PROMPT_LIMIT), truncated: full.length > PROMPT_LIMIT };
}
