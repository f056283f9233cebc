import fp from 'fastify-plugin';

// Placeholder: the admin feature registers its routes here.
export default fp(async () => {}, { name: 'admin', dependencies: ['view', 'auth'] });
