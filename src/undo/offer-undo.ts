import type { FastifyReply } from 'fastify';

/**
 * Tells the page an undoable edit was made, so it offers Undo (public/js/undo.js shows the toast).
 * The label is what the toast says: "Clip deleted". Every route that records an edit answers with it.
 */
export function offerUndo(reply: FastifyReply, label: string): FastifyReply {
  return reply.header('x-undo-label', encodeURIComponent(label));
}
