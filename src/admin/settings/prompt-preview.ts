import { combinePrompt } from '../../generation/prompt.js';
export { PROMPT_LIMIT } from '../../generation/prompt.js';

/** The prompt a generation would send for `userPrompt` under `systemPrompt` (the same function the worker uses), and whether it was cut. */
export function finalPrompt(systemPrompt: string, userPrompt: string): { text: string; truncated: boolean } {
  const text = combinePrompt(userPrompt, systemPrompt) ?? '';
  const whole = combinePrompt(userPrompt, systemPrompt, Infinity) ?? '';
  return { text, truncated: text.length < whole.length };
}
