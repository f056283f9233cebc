import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { withSqlSpy } from '../setup/sql-spy.js';
import { BARRIER_SQL } from '../../src/platform/change-feed.js';
import { createProject } from '../factories.js';
import { createClip } from '../factories/clips.js';

// Pages that do little: each signed-in page is a handful of indexed queries, none run per row.
// Who is asking comes from the session cache once the page has been seen (platform/session-cache.ts);
// what the page reads is kept too (platform/person-reads.ts), so each count is of a first visit.

let t: TestApp;
let b: TestBrowser;
let projectId: string;
beforeAll(async () => {
  t = await createTestApp();
  b = new TestBrowser(t.app);
  await b.signInDev('pages@example.com');
  const user = await t.ctx.db.selectFrom('users').selectAll().where('email', '=', 'pages@example.com').executeTakeFirstOrThrow();
  for (let p = 0; p < 3; p++) {
    const project = await createProject(t.ctx.db, user.id, { title: `P${p}` });
    projectId = project.id;
    for (let c = 0; c < 3; c++) await createClip(t.ctx.db, t.ctx.storage, { userId: user.id, projectId: project.id, credits: 0 });
  }
});
afterAll(async () => {
  await t?.close();
});

async function queriesOf(url: string): Promise<{ status: number; body: string; sql: string[] }> {
  await b.get(url); // warm the settings cache, as a running process has it
  t.app.personReads.clear();
  const { result: res, sql: all } = await withSqlSpy(() => b.get(url));
  // The change feed's barrier (platform/change-feed.ts: one empty query on the listener, shared by
  // the requests in flight) reads no data; what is counted here is what the page reads.
  const sql = all.filter((q) => q !== BARRIER_SQL);
  expect(all.length - sql.length).toBeLessThanOrEqual(1);
  return { status: res.statusCode, body: res.body, sql };
}

describe('page queries', () => {
  it('the dashboard: one list with counts and covers, no subquery per project', async () => {
    const { status, body, sql } = await queriesOf('/projects');
    expect(status).toBe(200);
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(/from "projects"/);
    expect(sql[0]).not.toMatch(/\(\s*select/i);
    expect(body.match(/<img[^>]+\/media\/images\//g)?.length).toBeGreaterThanOrEqual(3); // each project's cover
  });

  it('a project page with clips: the project, its clips (no count of all the person’s clips)', async () => {
    const { status, sql } = await queriesOf(`/projects/${projectId}`);
    expect(status).toBe(200);
    // The project, its clips, the timeline's film (trims and transitions on its rows) and how many edits can be undone.
    expect(sql).toHaveLength(4);
    expect(sql[3]).toMatch(/count\(\*\).*from "project_edits"/);
  });
});
