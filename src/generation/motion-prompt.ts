// Camera motion worded into the prompt for the providers that take words (Runway gen4_turbo and
// Luma Ray 2 have no camera field in the API Echoes uses, specs/). The presets themselves, and the
// local renderer's own control, are in src/motion/presets.ts and providers/local-render.ts.
import { isMotion, type Motion } from '../motion/presets.js';

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
