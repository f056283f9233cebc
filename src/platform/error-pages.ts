import fp from 'fastify-plugin';
import type { FastifyError } from 'fastify';
import { RateLimitedError, UserError } from './errors.js';

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08006', '08001', '08003']);

/** A database or service that is briefly away (restarting) rather than a bug. */
function isUnavailable(err: FastifyError): boolean {
  const code = (err as { code?: string }).code;
  return (code !== undefined && UNAVAILABLE_CODES.has(code)) || /Connection terminated|timeout exceeded when trying to connect/i.test(err.message);
}

function messageFor(err: FastifyError): { status: number; message: string } {
  if (isUnavailable(err)) return { status: 503, message: 'Echoes is briefly unavailable. Please try again in a moment.' };
  if (err instanceof UserError) return { status: err.statusCode, message: err.message };
  if (err.code?.startsWith('FST_CSRF')) {
    return { status: 403, message: 'This form has expired or did not come from Echoes. Reload the page and try again.' };
  }
  if (err.code === 'FST_REQ_FILE_TOO_LARGE' || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, message: 'That file is too large.' };
  }
  if (err.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return { status: 400, message: 'This form must be sent as a file upload.' };
  if (err.validation) return { status: 400, message: `Invalid request: ${err.message}` };
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return { status, message: status === 429 ? 'Too many attempts. Please wait a moment and try again.' : 'That request could not be understood.' };
  }
  return { status: 500, message: 'Something went wrong on our side.' };
}

/** 404 and error pages that say what happened without leaking internals; 5xx carry a reference id. */
export default fp(
  async (app) => {
    app.setErrorHandler(async (err: FastifyError, req, reply) => {
      const { status, message } = messageFor(err);
      if (status === 503) req.log.warn({ err: err.message, code: err.code }, 'dependency unavailable');
      else if (status >= 500) req.log.error({ err }, 'request failed');
      else req.log.info({ code: err.code, status, msg: err.message }, 'request refused');
      reply.code(status);
      if (err instanceof RateLimitedError) reply.header('retry-after', String(err.retryAfterS));
      if (req.headers.accept?.includes('application/json') && !req.headers.accept.includes('text/html')) {
        return reply.send({ error: message, reference: req.id });
      }
      if (status === 503) reply.header('retry-after', '5');
      const data = { status, message, reference: status >= 500 ? req.id : null, title: status >= 500 ? 'Something went wrong' : 'Request refused' };
      if (req.isHtmx) return reply.render('errors/_inline', data);
      return reply.render('errors/error', data);
    });

    app.setNotFoundHandler(async (req, reply) => {
      reply.code(404);
      const data = { status: 404, message: 'We could not find that page.', reference: null, title: 'Not found' };
      if (req.isHtmx) return reply.render('errors/_inline', data);
      return reply.render('errors/error', data);
    });
  },
  { name: 'error-pages', dependencies: ['view'] },
);
