import { count } from '../platform/format.js';

export interface Refusal {
  index: number;
  name: string;
  message: string;
  status: number;
}

/** How many refusals a one-line notice names before it says "and N more" (a flash is a cookie). */
const NAMED = 4;

/** The one-line summary of an upload: what was added and which files were not, and why. */
export function photosNotice(added: number, refusals: Refusal[]): { text: string } {
  const parts: string[] = [];
  if (added) parts.push(`Added ${count(added, 'photo')}; each gets a free draft.`);
  if (refusals.length) {
    const named = refusals.slice(0, NAMED).map((r) => `${r.name}: ${r.message}`);
    const more = refusals.length - named.length;
    parts.push(`Not added: ${named.join(' ')}${more > 0 ? ` And ${count(more, 'more file')}.` : ''}`);
  }
  return { text: parts.join(' ') };
}
