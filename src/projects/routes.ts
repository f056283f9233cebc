import fp from 'fastify-plugin';

// Placeholder: the projects feature registers its routes here.
export default fp(async () => {}, { name: 'projects', dependencies: ['view', 'auth'] });
