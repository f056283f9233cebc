import fp from 'fastify-plugin';

// Placeholder: the credits feature registers its routes here.
export default fp(async () => {}, { name: 'credits', dependencies: ['view', 'auth'] });
