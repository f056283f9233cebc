import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseForm } from '../platform/forms.js';
import { wakeForTask } from './callback.js';

const callbackBody = z.object({ id: z.string().regex(/^[\w-]{1,100}$/) });

/**
 * POST /webhooks/luma: Luma posts the generation when it is dreaming, completed or failed. Nothing
 * in the body is believed (callbacks are not signed): only its id, looked up again with our key.
 * Answers 200 whatever happens next, so Luma does not retry what polling will cover anyway.
 */
export default async function generationRoutes(app: FastifyInstance) {
  app.post('/webhooks/luma', { config: { access: 'public' } }, async (req, reply) => {
    const body = parseForm(callbackBody, req.body);
    if (!body.ok) return reply.code(400).send({ error: 'a generation id is required' });
    const { id } = body.data;
    if (!app.config.LUMA_API_KEY) return reply.code(404).send({ error: 'Luma is not configured here' });
    try {
      const outcome = await wakeForTask(app.ctx, 'luma', id);
      req.log.info({ taskId: id, outcome }, 'luma callback');
      return reply.send({ received: true });
    } catch (err) {
      req.log.warn({ taskId: id, err: (err as Error).message }, 'luma callback could not be checked; polling will');
      return reply.send({ received: true });
    }
  });
}
