import fp from 'fastify-plugin';

// Placeholder: the billing feature registers its routes here.
export default fp(async () => {}, { name: 'billing', dependencies: ['view', 'auth'] });
