import { findRatio } from '../settings/ratios.js';
import type { ProjectStatus } from '../platform/db-types.js';

/** How a project's ratio and status read on its pages. */

export function ratioLabel(ratio: string): string {
  return findRatio(ratio)?.label ?? ratio;
}

export const STATUS_LABELS: Record<ProjectStatus, { label: string; badge: string }> = {
  in_progress: { label: 'In progress', badge: 'badge-warn' },
  completed: { label: 'Completed', badge: 'badge-ok' },
};
