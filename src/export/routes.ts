import fp from 'fastify-plugin';

// Placeholder: the export feature registers its routes here.
export default fp(async () => {}, { name: 'export', dependencies: ['view', 'auth'] });
