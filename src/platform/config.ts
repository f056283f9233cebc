import { isIP } from 'node:net';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalText = z.string().trim().min(1).optional().catch(undefined);
const url = z.string().url();

const settingsShape = z.object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().trim().min(1).optional(),
    PUBLIC_URL: url.optional(),
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    DATABASE_URL: url.default('postgres://postgres@127.0.0.1:5432/echoes'),
    REDIS_URL: url.default('redis://127.0.0.1:6379'),
    QUEUE_PREFIX: z.string().min(1).default('echoes'),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    TRUST_PROXY: z.string().trim().optional().transform((v, ctx) => {
      const parsed = parseTrustProxy(v);
      if (parsed === null) {
        ctx.addIssue({ code: 'custom', message: 'must be a hop count (1, 2, …) or a comma-separated list of proxy addresses or CIDR ranges (10.0.0.0/8, loopback, uniquelocal)' });
        return z.NEVER;
      }
      return parsed;
    }),
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
    // Hosts Runway's finished videos may be downloaded from (each also covers its subdomains):
    // its CloudFront distributions and task-artifact bucket, as seen in Runway's output URLs.
    RUNWAY_OUTPUT_HOSTS: z
      .string()
      .regex(/^\s*[A-Za-z0-9.-]+\s*(,\s*[A-Za-z0-9.-]+\s*)*$/, 'must be host names separated by commas')
      .default('dnznrvs05pmza.cloudfront.net,d2jqrm6oza8nb6.cloudfront.net,runway-task-artifacts.s3.amazonaws.com,runwayml.com'),
    LUMA_API_KEY: z.string().optional(),
    LUMA_API_URL: url.default('https://api.lumalabs.ai/dream-machine/v1'),
    LUMA_POLL_INTERVAL_MS: z.coerce.number().int().min(1).default(5000),
    // Hosts Luma's finished videos may be downloaded from: its CDN (storage.cdn-luma.com).
    LUMA_OUTPUT_HOSTS: z
      .string()
      .regex(/^\s*[A-Za-z0-9.-]+\s*(,\s*[A-Za-z0-9.-]+\s*)*$/, 'must be host names separated by commas')
      .default('cdn-luma.com'),
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
    MAX_VIDEO_BYTES: z.coerce.number().int().positive().default(200 * 1024 * 1024),
    SIGNED_URL_TTL_S: z.coerce.number().int().positive().default(3600),
  });

const schema = settingsShape.superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && !c.SESSION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'is required in production' });
    }
    const publicUrl = URL.parse(c.PUBLIC_URL ?? `http://localhost:${c.PORT}`);
    if (!publicUrl) return; // reported by the field itself
    if (c.NODE_ENV === 'production' && publicUrl.protocol !== 'https:' && !isLoopbackHost(publicUrl.hostname)) {
      // Browsers drop Secure cookies over http and plain cookies over the internet can be read.
      ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: `must be an https:// address in production (plain http is only for a loopback address such as http://localhost:${c.PORT}); got ${publicUrl.origin}` });
    }
    if (c.NODE_ENV !== 'production' && !c.SESSION_SECRET && !isLocalOnly(c.HOST, publicUrl, c.NODE_ENV)) {
      // The built-in secret is public: anyone who can reach the server could forge sessions.
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: `is required unless the server listens only on loopback (HOST unset or localhost/127.0.0.1) with a loopback PUBLIC_URL; got HOST=${c.HOST ?? defaultHost(c.NODE_ENV, publicUrl)} PUBLIC_URL=${publicUrl.origin}` });
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
  /** The address the web process listens on (HOST, else derived: see defaultHost). */
  listenHost: string;
  /** Listening on loopback with a loopback PUBLIC_URL: no one but this machine can reach it. */
  localOnly: boolean;
  /** The email sign-in without Google (POST /auth/dev). */
  devSignIn: boolean;
  /** Fastify's trustProxy: false (the default), a hop count, or proxy addresses/CIDRs. */
  trustProxy: false | number | string[];
};

const LOOPBACK_NAMES = new Set(['localhost', '[::1]', '::1']);

/** localhost, 127.0.0.0/8 or ::1 (a URL hostname or a listen address). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return LOOPBACK_NAMES.has(h) || (isIP(h) === 4 && h.startsWith('127.'));
}

/**
 * Where to listen when HOST is unset: production (containers) on every interface; elsewhere on
 * loopback while PUBLIC_URL is a loopback URL, so a development machine is not open to its network.
 */
function defaultHost(nodeEnv: string, publicUrl: URL): string {
  if (nodeEnv === 'production') return '0.0.0.0';
  return isLoopbackHost(publicUrl.hostname) ? 'localhost' : '0.0.0.0';
}

function isLocalOnly(host: string | undefined, publicUrl: URL, nodeEnv: string): boolean {
  return isLoopbackHost(host ?? defaultHost(nodeEnv, publicUrl)) && isLoopbackHost(publicUrl.hostname);
}

const PROXY_ADDR_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(entry: string): boolean {
  if (PROXY_ADDR_NAMES.has(entry)) return true;
  const [ip, bits, ...rest] = entry.split('/');
  const family = isIP(ip ?? '');
  if (!family || rest.length) return false;
  if (bits === undefined) return true;
  if (isIP(bits) === 4) return family === 4; // a netmask such as 255.255.255.0
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** TRUST_PROXY: unset or 0 → trust no forwarded header; N → the N proxies in front; else addresses. */
export function parseTrustProxy(value: string | undefined): false | number | string[] | null {
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value) <= 100 ? Number(value) : null;
  const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
  return entries.length && entries.every(isProxyAddress) ? entries : null;
}

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
  const publicUrl = new URL(c.PUBLIC_URL ?? `http://localhost:${c.PORT}`);
  const listenHost = c.HOST ?? defaultHost(c.NODE_ENV, publicUrl);
  const localOnly = isLocalOnly(c.HOST, publicUrl, c.NODE_ENV);
  const googleEnabled = Boolean(c.GOOGLE_CLIENT_ID && c.GOOGLE_CLIENT_SECRET);
  return {
    ...c,
    activeProvider: c.ACTIVE_AI_PROVIDER ?? (c.RUNWAY_API_KEY ? 'runway' : 'local'),
    googleEnabled,
    stripeEnabled: Boolean(c.STRIPE_SECRET_KEY),
    // On a loopback-only machine a fixed dev secret keeps sessions across restarts; elsewhere the
    // schema above requires a real one.
    sessionSecret: c.SESSION_SECRET ?? 'echoes-development-session-secret-not-for-production',
    publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
    listenHost,
    localOnly,
    // Anyone may sign in as anyone: only on a machine no one else can reach, whatever NODE_ENV says
    // (a server started with NODE_ENV=test is no less reachable than one in development).
    devSignIn: !googleEnabled && c.NODE_ENV !== 'production' && localOnly,
    trustProxy: c.TRUST_PROXY ?? false,
  };
}
