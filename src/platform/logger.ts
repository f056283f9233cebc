import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { service: 'echoes' },
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["stripe-signature"]', '*.password', '*.secret'],
      censor: '[redacted]',
    },
  };
}

export function createLogger(level: string, name?: string): Logger {
  return pino({ ...loggerOptions(level), name });
}
