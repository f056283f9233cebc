import fp from 'fastify-plugin';

// Placeholder: the sharing feature registers its routes here.
export default fp(async () => {}, { name: 'sharing', dependencies: ['view', 'auth'] });
