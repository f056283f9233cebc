// Camera motion presets (issue 29): the ids a take stores and the words people read. A leaf that
// every feature may import (src/clips offers them, src/takes lists them, src/generation words them
// into the prompt, the local renderer moves its camera by them).

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

/** A take's motion as people read it; an id no longer offered is shown as it is. */
export function motionLabel(motion: string): string {
  return isMotion(motion) ? MOTION_LABELS[motion] : motion;
}
