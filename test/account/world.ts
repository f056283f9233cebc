import type { DB } from '../../src/platform/db.js';
import type { Storage } from '../../src/storage/types.js';
import { storageKeys } from '../../src/storage/index.js';
import { grantCredits } from '../../src/credits/service.js';
import { withTx } from '../../src/platform/db.js';
import { createProject, createUser } from '../factories.js';
import { createClip } from '../factories/clips.js';
import { createPack } from '../factories/billing.js';
import { createPayment } from '../factories/admin.js';

export async function objectsUnder(storage: Storage, userId: string): Promise<string[]> {
  const keys: string[] = [];
  for (const kind of ['images', 'clips', 'music', 'exports', 'downloads']) for await (const o of storage.list(`${kind}/${userId}/`)) keys.push(o.key);
  return keys.sort();
}

/**
 * A person with everything an account can hold: projects with clips (one still generating),
 * music, an export, a paid pack, a referrer who was rewarded for them and a friend they referred.
 */
export async function fullAccount(db: DB, storage: Storage, opts: { email?: string; packName?: string } = {}) {
  const referrer = await createUser(db);
  const user = await createUser(db, { email: opts.email, credits: 10, referredBy: referrer.id });
  const friend = await createUser(db, { referredBy: user.id, credits: 3 });
  const pack = await createPack(db, { name: opts.packName ?? `Pack ${Math.random().toString(36).slice(2, 7)}`, credits: 5, priceCents: 500 });
  const payment = await createPayment(db, user.id, pack.id, { credits: 5 });
  await withTx(db, async (tx) => {
    await grantCredits(tx, user.id, 5, 'purchase', payment.stripe_session_id!, pack.name);
    await grantCredits(tx, referrer.id, 2, 'referral', user.id, 'Referral reward');
    await grantCredits(tx, user.id, 2, 'referral', friend.id, 'Referral reward');
  });
  const project = await createProject(db, user.id, { title: 'Summer reel' });
  const second = await createProject(db, user.id, { title: 'Winter' });
  const ready = await createClip(db, storage, { userId: user.id, projectId: project.id, video: Buffer.from('mp4-bytes-1'), provider: 'local' });
  await createClip(db, storage, { userId: user.id, projectId: second.id, video: Buffer.from('mp4-bytes-2'), provider: 'local' });
  const running = await createClip(db, storage, { userId: user.id, projectId: project.id, status: 'generating', credits: 2, provider: 'local' });
  const taskId = `local-${running.id}`;
  await db.updateTable('clips').set({ provider_task_id: taskId, prompt: 'a slow pan over the sea' }).where('id', '=', running.id).execute();
  const musicKey = storageKeys.music(user.id, project.id, 'track.mp3');
  await storage.put(musicKey, Buffer.from('music'), 'audio/mpeg');
  await db.updateTable('projects').set({ music_key: musicKey, music_name: 'track.mp3', share_token: `tok${Math.random().toString(36).slice(2)}` }).where('id', '=', project.id).execute();
  const exportRow = await db.insertInto('exports').values({ project_id: project.id, user_id: user.id, status: 'ready' }).returningAll().executeTakeFirstOrThrow();
  const exportKey = storageKeys.export(user.id, project.id, exportRow.id);
  await storage.put(exportKey, Buffer.from('export-mp4'), 'video/mp4');
  await db.updateTable('exports').set({ object_key: exportKey }).where('id', '=', exportRow.id).execute();
  // Someone else's media, which must survive and never be packed.
  const other = await createUser(db, { credits: 1 });
  const otherProject = await createProject(db, other.id);
  await createClip(db, storage, { userId: other.id, projectId: otherProject.id, video: Buffer.from('not yours'), credits: 1 });
  return { user, referrer, friend, other, payment, project, ready, running, taskId };
}
