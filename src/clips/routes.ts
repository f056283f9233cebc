import fp from 'fastify-plugin';

// Placeholder: the clips feature registers its routes here.
export default fp(async () => {}, { name: 'clips', dependencies: ['view', 'auth'] });
