import type { FastifyInstance } from 'fastify';
import { fmt } from '../../src/platform/format.js';

/** Renders one template alone, with the `fmt` every page's locals carry (src/platform/view.ts). */
export function renderTemplate(app: FastifyInstance, name: string, data: object): Promise<string> {
  return (app as unknown as { view: (n: string, d: object) => Promise<string> }).view(name, { fmt, ...data });
}
