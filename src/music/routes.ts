import fp from 'fastify-plugin';

// Placeholder: the music feature registers its routes here.
export default fp(async () => {}, { name: 'music', dependencies: ['view', 'auth'] });
