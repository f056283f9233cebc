import type { DB } from '../../src/platform/db.js';
import type { Storage } from '../../src/storage/types.js';
import { createProject } from '../factories.js';
import { attachMusic, insertClip } from '../factories/media.js';
import { fullAccount } from '../account/world.js';
import { newShareToken } from '../../src/sharing/service.js';

/**
 * Everything a creator and an admin see, filled in: the account world of /account (projects,
 * ledger, a paid pack, a referral), plus a film project with clips in every state, music and a
 * public link, an empty project, a pending payment for the return page, and an audit entry.
 */
export async function pagesWorld(db: DB, storage: Storage, email: string) {
  const account = await fullAccount(db, storage, { email });
  const { user } = account;
  const w = { db, storage };
  const film = await createProject(db, user.id, { title: 'Harbour at dusk' });
  const ready = [];
  for (let position = 0; position < 3; position++) ready.push(await insertClip(w, { userId: user.id, projectId: film.id, position, prompt: `shot ${position + 1}: the tide comes in` }));
  await insertClip(w, { userId: user.id, projectId: film.id, position: 3, approved: false, prompt: 'not yet approved' });
  const generating = await insertClip(w, { userId: user.id, projectId: film.id, position: 4, status: 'generating', approved: false });
  await db.updateTable('clips').set({ progress: 0.4 }).where('id', '=', generating.id).execute();
  await insertClip(w, { userId: user.id, projectId: film.id, position: 5, status: 'queued', approved: false });
  const failed = await insertClip(w, { userId: user.id, projectId: film.id, position: 6, status: 'error', approved: false });
  await db.updateTable('clips').set({ error_code: 'provider_failed', provider_task_id: 'task-1' }).where('id', '=', failed.id).execute();
  await attachMusic(w, user.id, film.id, { durationS: 6, name: 'Harbour song.m4a' });
  const shareToken = newShareToken();
  await db.updateTable('projects').set({ share_token: shareToken }).where('id', '=', film.id).execute();
  const empty = await createProject(db, user.id, { title: 'Nothing yet' });
  await db.insertInto('admin_audit').values({ actor: 'admin', action: 'credits.grant', target: user.id, before: JSON.stringify({ balance: 10 }), after: JSON.stringify({ balance: 15 }), ip: '127.0.0.1' }).execute();
  return { ...account, film, readyClips: ready, failed, shareToken, empty };
}
