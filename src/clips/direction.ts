import { z } from 'zod';
import type { Config } from '../platform/config.js';
import { UserError } from '../platform/errors.js';
import { readForm } from '../platform/forms.js';
import { isMotion, MOTION_LABELS, MOTIONS } from '../motion/presets.js';
import { canEndOnImage } from '../generation/providers/index.js';
import { attemptPrice, modelFor, primaryRoute, providerConfigured, type ProviderName, type Settings } from '../settings/service.js';
import { PROVIDER_NAMES } from '../settings/defaults.js';

// A direction for the next take of a clip (POST /clips/:id/regenerate, issue 29): its prompt,
// length, camera motion, whether it ends on the next clip's photo, and how many versions.

/** The creator's prompt limit, as on upload (Runway's promptText limit; the takes table's check). */
export const PROMPT_MAX = 1000;
export const MAX_VERSIONS = 2;

/** What the creator asked for; a field left out keeps the clip's current one (the one-click Animate and Try again). */
export interface DirectionAsk {
  prompt?: string;
  durationS?: number;
  /** null: no preset; undefined: keep the clip's. */
  motion?: string | null;
  endNext: boolean;
  versions: number;
  /** The total the creator was shown; when given, any other price is refused (nothing is charged). */
  price?: number;
}

export type Route = { provider: ProviderName; model: string };

const optionalText = z.string().optional();
const form = z.object({
  prompt: z.string({ error: 'The prompt must be text.' }).trim().max(PROMPT_MAX, `The prompt can be at most ${PROMPT_MAX} characters.`).optional(),
  duration: optionalText,
  motion: optionalText,
  end: z.enum(['', 'next'], { error: 'To end on the next photo, send end=next (or leave it out).' }).optional(),
  versions: z.enum(['1', '2'], { error: 'Ask for 1 or 2 versions.' }).optional(),
  price: z.string().regex(/^\d{1,6}$/, 'The price shown must be a whole number of credits.').optional(),
});

const seconds = (list: readonly number[]) => list.map((s) => `${s}`).join(', ').replace(/, (?=[^,]*$)/, ' or ');

/** Reads the direction form; a bad field is a 400 naming it, before anything is looked up or charged. */
export function readDirection(body: unknown, settings: Settings): DirectionAsk {
  const f = readForm(form, body);
  let durationS: number | undefined;
  if (f.duration !== undefined && f.duration !== '') {
    durationS = Number(f.duration);
    if (!settings.allowedDurations.includes(durationS)) throw new UserError(`Choose a length of ${seconds(settings.allowedDurations)} seconds.`, 400, 'bad_duration');
  }
  let motion: string | null | undefined;
  if (f.motion !== undefined) {
    motion = f.motion === '' || f.motion === 'none' ? null : f.motion;
    if (motion !== null && !isMotion(motion)) {
      throw new UserError(`"${f.motion.slice(0, 40)}" is not a camera motion. Choose one of: ${MOTIONS.map((m) => MOTION_LABELS[m].toLowerCase()).join(', ')}.`, 400, 'bad_motion');
    }
  }
  return { prompt: f.prompt, durationS, motion, endNext: f.end === 'next', versions: Number(f.versions ?? 1), price: f.price === undefined ? undefined : Number(f.price) };
}

const NAMES: Record<ProviderName, string> = { runway: 'Runway', luma: 'Luma', local: 'The local renderer' };

/** The provider and model a take ending on a photo is made by: the primary when it can, else one that can and is up. */
export function endFrameRoute(settings: Settings, config: Config): Route | null {
  const primary = primaryRoute(settings, config);
  if (canEndOnImage(primary.provider)) return primary;
  const other = PROVIDER_NAMES.find((p) => canEndOnImage(p) && providerConfigured(config, p) && !settings.providersDown.includes(p));
  return other ? { provider: other, model: modelFor(settings, other) } : null;
}

/** What the form says about ending on the next photo, and at what price per length. */
export interface EndOption {
  /** Whether the option can be chosen. */
  possible: boolean;
  /** Why not, or why another provider makes it; null when the primary simply can. */
  note: string | null;
  costs: Record<number, number>;
}

export function endOption(settings: Settings, config: Config, hasNext: boolean): EndOption {
  const primary = primaryRoute(settings, config);
  const route = endFrameRoute(settings, config);
  const costs: Record<number, number> = {};
  for (const s of settings.allowedDurations) costs[s] = attemptPrice(settings, config, s, route ?? primary);
  const cannot = `${NAMES[primary.provider]} (${primary.model}) starts from the photo but cannot end on another one.`;
  if (!hasNext) return { possible: false, note: 'This is the last clip: there is no next photo to end on.', costs };
  if (!route) return { possible: false, note: `${cannot} No provider that can (Luma) is set up here.`, costs };
  if (route.provider === primary.provider) return { possible: true, note: null, costs };
  return { possible: true, note: `${cannot} ${NAMES[route.provider]} (${route.model}) can: a take ending on the next photo is made there, at its price.`, costs };
}

/** The direction form's content (views/clips/_direction.eta): plain data, prices from attemptPrice. */
export interface DirectionForm {
  clipId: string;
  projectId: string;
  prompt: string;
  promptMax: number;
  durationS: number;
  /** Each allowed length with its price on the primary route and on the route ending on a photo. */
  durations: Array<{ s: number; cost: number; endCost: number }>;
  motion: string;
  motions: Array<{ value: string; label: string }>;
  end: EndOption;
  maxVersions: number;
  /** What the button says: Animate (a draft), Try again (a failure), Regenerate. */
  action: string;
  /** The price of the defaults as the form opens. */
  total: number;
  balance: number;
}

export function directionForm(settings: Settings, config: Config, clip: { id: string; project_id: string; prompt: string; duration_s: number; motion: string | null; status: string }, hasNext: boolean, balance: number): DirectionForm {
  const end = endOption(settings, config, hasNext);
  const durationS = settings.allowedDurations.includes(clip.duration_s) ? clip.duration_s : settings.defaultDuration;
  const durations = settings.allowedDurations.map((s) => ({ s, cost: attemptPrice(settings, config, s), endCost: end.costs[s]! }));
  return {
    clipId: clip.id,
    projectId: clip.project_id,
    prompt: clip.prompt,
    promptMax: PROMPT_MAX,
    durationS,
    durations,
    motion: isMotion(clip.motion) ? clip.motion : '',
    motions: MOTIONS.map((m) => ({ value: m, label: MOTION_LABELS[m] })),
    end,
    maxVersions: MAX_VERSIONS,
    action: clip.status === 'draft' ? 'Animate' : clip.status === 'error' ? 'Try again' : 'Regenerate',
    total: durations.find((d) => d.s === durationS)?.cost ?? attemptPrice(settings, config, durationS),
    balance,
  };
}
