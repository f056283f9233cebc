import type { Conn } from '../platform/db.js';
import type { Project } from '../platform/db-types.js';
import { publicLink, shareRewardInfo, type ShareRewardInfo } from './service.js';

/** What the share panel shows (views/sharing/_panel.eta): plain data, no queries in templates. */
export interface SharePanel {
  projectId: string;
  shared: boolean;
  link: string | null;
  reward: ShareRewardInfo;
  /** Credits this request just earned, and the new balance for the header. */
  earned: number;
  balance: number | null;
  next: string;
}

export async function sharePanel(
  db: Conn,
  publicUrl: string,
  userId: string,
  project: Project,
  opts: { earned?: number; balance?: number | null; next?: string } = {},
): Promise<SharePanel> {
  return {
    projectId: project.id,
    shared: Boolean(project.share_token),
    link: project.share_token ? publicLink(publicUrl, project.share_token) : null,
    reward: await shareRewardInfo(db, userId, project),
    earned: opts.earned ?? 0,
    balance: opts.balance ?? null,
    next: opts.next ?? `/projects/${project.id}/share`,
  };
}
