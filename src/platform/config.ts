import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalText = z.string().trim().min(1).optional().catch(undefined);
const url = z.string().url();

const settingsShape = z.object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_URL: url.optional(),
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    DATABASE_URL: url.default('postgres://postgres@127.0.0.1:5432/echoes'),
    REDIS_URL: url.default('redis://127.0.0.1:6379'),
    QUEUE_PREFIX: z.string().min(1).default('echoes'),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    S3_ENDPOINT: url.optional(),
    S3_PUBLIC_ENDPOINT: url.optional(),
    S3_REGION: z.string().default('us-east-1'),
    S3_BUCKET: z.string().default('echoes'),
    S3_ACCESS_KEY_ID: z.string().optional(),
    S3_SECRET_ACCESS_KEY: z.string().optional(),
    DATA_DIR: z.string().default('./data'),
    GOOGLE_CLIENT_ID: z.string().optional(),
    GOOGLE_CLIENT_SECRET: z.string().optional(),
    GOOGLE_AUTH_URL: url.default('https://accounts.google.com/o/oauth2/v2/auth'),
    GOOGLE_TOKEN_URL: url.default('https://oauth2.googleapis.com/token'),
    GOOGLE_USERINFO_URL: url.default('https://www.googleapis.com/oauth2/v3/userinfo'),
    STRIPE_SECRET_KEY: z.string().optional(),
    STRIPE_WEBHOOK_SECRET: z.string().optional(),
    STRIPE_API_URL: url.optional(),
    ACTIVE_AI_PROVIDER: z.enum(['runway', 'luma', 'local']).optional(),
    RUNWAY_API_KEY: z.string().optional(),
    RUNWAY_API_URL: url.default('https://api.dev.runwayml.com'),
    RUNWAY_POLL_INTERVAL_MS: z.coerce.number().int().min(1).default(5000),
    LUMA_API_KEY: z.string().optional(),
    LUMA_API_URL: url.default('https://api.lumalabs.ai/dream-machine/v1'),
    LUMA_POLL_INTERVAL_MS: z.coerce.number().int().min(1).default(5000),
    PROVIDER_BREAKER_FAILURES: z.coerce.number().int().min(1).default(5),
    PROVIDER_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(1).default(60_000),
    ADMIN_PASSWORD: z.string().optional(),
    FFMPEG_PATH: z.string().optional(),
    FFPROBE_PATH: z.string().optional(),
    RUN_WORKERS: bool.default(true),
    METRICS_TOKEN: z.string().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    MAX_IMAGE_BYTES: z.coerce.number().int().positive().default(25 * 1024 * 1024),
    MAX_IMAGE_PIXELS: z.coerce.number().int().positive().default(60_000_000),
    MAX_MUSIC_BYTES: z.coerce.number().int().positive().default(250 * 1024 * 1024),
    SIGNED_URL_TTL_S: z.coerce.number().int().positive().default(3600),
  });

const schema = settingsShape.superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && !c.SESSION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'is required in production' });
    }
    if (c.S3_ENDPOINT && (!c.S3_ACCESS_KEY_ID || !c.S3_SECRET_ACCESS_KEY)) {
      ctx.addIssue({ code: 'custom', path: ['S3_ACCESS_KEY_ID'], message: 'and S3_SECRET_ACCESS_KEY are required with S3_ENDPOINT' });
    }
    if (c.NODE_ENV === 'production' && c.STRIPE_SECRET_KEY && !c.STRIPE_WEBHOOK_SECRET) {
      // Credits are granted from the webhook; without it a buyer who closes the tab gets nothing.
      ctx.addIssue({ code: 'custom', path: ['STRIPE_WEBHOOK_SECRET'], message: 'is required in production when STRIPE_SECRET_KEY is set' });
    }
    if (c.ACTIVE_AI_PROVIDER === 'runway' && !c.RUNWAY_API_KEY) {
      ctx.addIssue({ code: 'custom', path: ['RUNWAY_API_KEY'], message: 'is required when ACTIVE_AI_PROVIDER=runway' });
    }
    if (c.ACTIVE_AI_PROVIDER === 'luma' && !c.LUMA_API_KEY) {
      ctx.addIssue({ code: 'custom', path: ['LUMA_API_KEY'], message: 'is required when ACTIVE_AI_PROVIDER=luma' });
    }
    // Luma fetches the start image by URL: in production the media origin must be reachable from outside.
    if (c.NODE_ENV === 'production' && c.LUMA_API_KEY) {
      if (!c.S3_ENDPOINT && (!c.PUBLIC_URL || isLoopback(c.PUBLIC_URL))) {
        ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'must be a public address when LUMA_API_KEY is set with local media storage (Luma fetches images from PUBLIC_URL/media)' });
      } else if (c.S3_ENDPOINT && isLoopback(c.S3_PUBLIC_ENDPOINT ?? c.S3_ENDPOINT)) {
        ctx.addIssue({ code: 'custom', path: [c.S3_PUBLIC_ENDPOINT ? 'S3_PUBLIC_ENDPOINT' : 'S3_ENDPOINT'], message: 'must be a public address when LUMA_API_KEY is set (Luma fetches images from signed media URLs)' });
      }
    }
  });

/** True for localhost, 127.0.0.0/8, ::1 and 0.0.0.0: addresses no outside service can reach. */
export function isLoopback(address: string): boolean {
  const host = new URL(address).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '0.0.0.0' || /^127\./.test(host);
}

export type RawConfig = z.infer<typeof schema>;

/** Every setting name the app reads from the environment. */
export const SETTING_NAMES = Object.keys(settingsShape.shape) as Array<keyof RawConfig>;
export type Config = RawConfig & {
  activeProvider: 'runway' | 'luma' | 'local';
  googleEnabled: boolean;
  stripeEnabled: boolean;
  sessionSecret: string;
  publicUrl: string;
};

export class ConfigError extends Error {}

/** Reads settings once. Empty strings count as unset, so `.env` templates can list every key. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'settings');
    throw new ConfigError(`Invalid setting ${name}: ${issue.message}`);
  }
  const c = parsed.data;
  return {
    ...c,
    activeProvider: c.ACTIVE_AI_PROVIDER ?? (c.RUNWAY_API_KEY ? 'runway' : 'local'),
    googleEnabled: Boolean(c.GOOGLE_CLIENT_ID && c.GOOGLE_CLIENT_SECRET),
    stripeEnabled: Boolean(c.STRIPE_SECRET_KEY),
    // Outside production a fixed dev secret keeps sessions across restarts; production requires one.
    sessionSecret: c.SESSION_SECRET ?? 'echoes-development-session-secret-not-for-production',
    publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
  };
}
