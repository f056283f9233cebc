import fp from 'fastify-plugin';

const open = { config: { access: 'public' as const } };

/** Public pages: the landing page and the web-app manifest. */
export default fp(
  async (app) => {
    app.get('/', open, async (req, reply) => {
      return reply.render('pages/landing', { title: 'Echoes · Turn your photos into a music video' });
    });

    app.get('/manifest.webmanifest', open, async (_req, reply) => {
      reply.type('application/manifest+json').header('cache-control', 'public, max-age=3600');
      return {
        name: 'Echoes',
        short_name: 'Echoes',
        description: 'Turn still images into a music video.',
        start_url: '/projects',
        display: 'standalone',
        background_color: '#0f0f14',
        theme_color: '#0f0f14',
        icons: [
          { src: '/assets/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/assets/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/assets/icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      };
    });
  },
  { name: 'landing', dependencies: ['view'] },
);
