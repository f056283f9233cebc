import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { createProject, createUser } from '../factories.js';
import { seedExportProject } from '../factories/export-media.js';
import { planFilm } from '../../src/film/service.js';
import { listPlayableClips } from '../../src/film/queries.js';
import { decoded } from '../setup/html.js';

// The project page's header says how long the film plays (the players' plan), and an empty
// project says that drafts cost nothing (issue 28, item 5).

let t: TestApp;
let b: TestBrowser;
let userId: string;
beforeAll(async () => {
  t = await createTestApp();
  b = new TestBrowser(t.app);
  await b.signInDev('header@example.com');
  userId = (await t.ctx.db.selectFrom('users').select('id').where('email', '=', 'header@example.com').executeTakeFirstOrThrow()).id;
});
afterAll(async () => {
  await t?.close();
});

const filmLength = (html: string) => /<span data-film-length data-total-s="([\d.]+)"[^>]*>film (\d+:\d\d)<\/span>/.exec(decoded(html))?.slice(1);

describe('the project header', () => {
  it('shows the film length the players play, counting only approved clips with a video', async () => {
    const seeded = await seedExportProject(t.ctx, userId, { clips: [{ width: 160, height: 90, durationS: 3 }, { width: 160, height: 90, durationS: 4 }, { width: 160, height: 90, durationS: 5 }] });
    const plan = await planFilm(t.ctx.db, seeded.project as never, await listPlayableClips(t.ctx.db, seeded.project.id));
    expect(plan.totalS).toBeGreaterThan(8);
    const [s, label] = filmLength((await b.get(`/projects/${seeded.project.id}`)).body)!;
    expect(Number(s)).toBeCloseTo(plan.totalS, 3);
    expect(label).toBe(`0:${String(Math.floor(plan.totalS)).padStart(2, '0')}`);

    await t.ctx.db.updateTable('clips').set({ approved: false }).where('id', '=', seeded.clipIds[2]!).execute();
    const [shorter] = filmLength((await b.get(`/projects/${seeded.project.id}`)).body)!;
    expect(Number(shorter)).toBeLessThan(plan.totalS);
  });

  it('an empty project: film 0:00, and the first drafts are free', async () => {
    const project = await createProject(t.ctx.db, userId, { title: 'Empty' });
    const page = decoded((await b.get(`/projects/${project.id}`)).body);
    expect(filmLength(page)).toEqual(['0', '0:00']);
    expect(page).toMatch(/data-drafts-free[^>]*>.*Your first drafts are free/);
  });

  it('someone with credits and no clip yet also hears that the first AI clip is free', async () => {
    const rich = await createUser(t.ctx.db, { email: 'header-rich@example.com', credits: 1 });
    const rb = new TestBrowser(t.app);
    await rb.signInDev(rich.email);
    const project = await createProject(t.ctx.db, rich.id, { title: 'First' });
    const page = decoded((await rb.get(`/projects/${project.id}`)).body);
    expect(page).toMatch(/data-drafts-free data-first-clip-free>.*Your first drafts are free, and so is your first AI clip\./);
  });
});
