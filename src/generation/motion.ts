// Camera motion presets (issue 29): one list, worded into the prompt for the providers that take
// words (Runway gen4_turbo and Luma Ray 2 have no camera field in the API Echoes uses, specs/), and
// the local renderer's own control (its pan and zoom path, providers/local-render.ts).

export const MOTIONS = ['static', 'push_in', 'pull_out', 'pan_left', 'pan_right', 'orbit', 'crane_up', 'handheld'] as const;
export type Motion = (typeof MOTIONS)[number];

export const MOTION_LABELS: Record<Motion, string> = {
  static: 'Static',
  push_in: 'Push in',
  pull_out: 'Pull out',
  pan_left: 'Pan left',
  pan_right: 'Pan right',
  orbit: 'Orbit',
  crane_up: 'Crane up',
  handheld: 'Handheld',
};

export function isMotion(value: unknown): value is Motion {
  return typeof value === 'string' && (MOTIONS as readonly string[]).includes(value);
}

/** Runway's prompting guide describes the camera in a sentence about "the camera". */
const RUNWAY_WORDS: Record<Motion, string> = {
  static: 'The camera stays locked off, perfectly still.',
  push_in: 'The camera slowly pushes in.',
  pull_out: 'The camera slowly pulls out.',
  pan_left: 'The camera pans left.',
  pan_right: 'The camera pans right.',
  orbit: 'The camera orbits around the subject.',
  crane_up: 'The camera cranes up.',
  handheld: 'Handheld camera with a subtle, natural shake.',
};

/** Luma's Ray 2 answers to its camera-motion phrases ("camera push in", "camera orbit left", …). */
const LUMA_WORDS: Record<Motion, string> = {
  static: 'Static camera.',
  push_in: 'Camera push in.',
  pull_out: 'Camera pull out.',
  pan_left: 'Camera pan left.',
  pan_right: 'Camera pan right.',
  orbit: 'Camera orbit left.',
  crane_up: 'Camera crane up.',
  handheld: 'Handheld camera.',
};

/**
 * The creator's prompt with the motion worded in for this provider. The motion comes first, so a
 * prompt cut to the provider's limit loses the end of the creator's words, never the camera.
 */
export function promptWithMotion(provider: 'runway' | 'luma', prompt: string, motion: string | null | undefined): string {
  if (!isMotion(motion)) return prompt;
  const words = (provider === 'runway' ? RUNWAY_WORDS : LUMA_WORDS)[motion];
  return prompt.trim() ? `${words} ${prompt.trim()}` : words;
}
