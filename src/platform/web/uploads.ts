import fp from 'fastify-plugin';
import multipart from '@fastify/multipart';

/** Multipart uploads (photos, music): one file a request, within the configured sizes. */
export default fp(
  async (app) => {
    const { config } = app;
    await app.register(multipart, {
      limits: { files: 1, fields: 10, fieldSize: 16 * 1024, parts: 12, fileSize: Math.max(config.MAX_IMAGE_BYTES, config.MAX_MUSIC_BYTES) },
    });
    // An upload refused mid-stream (too large, not ours) leaves the rest of the body unread and the
    // socket paused, so it would never notice the client leave. Drain what still arrives (the client
    // can then read the answer) and drop a client that keeps sending past a grace period.
    app.addHook('onResponse', (req, _reply, done) => {
      if (req.raw.complete === false) {
        // Not read to the end (app.inject's requests are never incomplete).
        const timer = setTimeout(() => req.raw.socket?.destroy(), 10_000).unref();
        req.raw.once('close', () => clearTimeout(timer));
        req.raw.resume();
      }
      done();
    });
  },
  { name: 'uploads', dependencies: ['context'] },
);
