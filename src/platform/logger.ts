import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * The URL as logs may keep it: the path, and the query's parameter names with every value
 * replaced. Query strings carry secrets (a CSRF token on a no-JavaScript upload, the signature of
 * a /media link, an OAuth code), and a list of "sensitive" names would miss the next one.
 */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const names = url
    .slice(q + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => `${pair.split('=', 1)[0]!.slice(0, 64)}=[redacted]`);
  return `${url.slice(0, q)}?${names.join('&')}`;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { service: 'echoes' },
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["stripe-signature"]', 'req.headers["x-csrf-token"]', '*.password', '*.secret'],
      censor: '[redacted]',
    },
    serializers: {
      // Fastify's own request serializer, with the query's values left out.
      req: (req: LoggedRequest) => ({
        method: req.method,
        url: typeof req.url === 'string' ? loggableUrl(req.url) : req.url,
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
  };
}

export function createLogger(level: string, name?: string): Logger {
  return pino({ ...loggerOptions(level), name });
}
