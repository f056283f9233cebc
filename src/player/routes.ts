import fp from 'fastify-plugin';

// Placeholder: the player feature registers its routes here.
export default fp(async () => {}, { name: 'player', dependencies: ['view', 'auth'] });
