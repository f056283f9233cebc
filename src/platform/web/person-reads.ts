import fp from 'fastify-plugin';
import { PersonReads } from '../person-reads.js';
import { followChanges } from '../session-cache.js';

/** What people's pages read, kept for a few seconds in this process and forgotten on any change to the person. */
export default fp(
  async (app) => {
    const personReads = new PersonReads();
    app.decorate('personReads', personReads);
    const stopFollowing = followChanges(app.changeFeed, [personReads]);
    app.addHook('onClose', async () => stopFollowing());
  },
  { name: 'person-reads', dependencies: ['change-feed'] },
);
