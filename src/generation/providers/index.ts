import type { AppContext } from '../../platform/context.js';
import { createLocalProvider } from './local.js';
import { createLumaProvider } from './luma.js';
import { createRunwayProvider } from './runway.js';
import { ProviderError, type Provider } from './types.js';

export type { GenerationInput, Provider, TaskState, TaskStatus } from './types.js';
export { canEndOnImage, ProviderError } from './types.js';

export type ProviderName = 'runway' | 'luma' | 'local';
export const PROVIDERS: readonly ProviderName[] = ['runway', 'luma', 'local'];

const cache = new WeakMap<AppContext, Map<ProviderName, Provider>>();

/** Local renders poll faster than Runway allows: they are on this machine. */
const LOCAL_POLL_MS = 1000;

function build(ctx: AppContext, name: ProviderName): Provider {
  const { config } = ctx;
  if (name === 'runway') {
    if (!config.RUNWAY_API_KEY) throw new ProviderError('Runway is not configured (RUNWAY_API_KEY is not set)', false, 'NOT_CONFIGURED');
    return createRunwayProvider({
      baseUrl: config.RUNWAY_API_URL,
      apiKey: config.RUNWAY_API_KEY,
      pollIntervalMs: config.RUNWAY_POLL_INTERVAL_MS,
      storage: ctx.storage,
      logger: ctx.logger.child({ provider: 'runway' }),
    });
  }
  if (name === 'luma') {
    if (!config.LUMA_API_KEY) throw new ProviderError('Luma is not configured (LUMA_API_KEY is not set)', false, 'NOT_CONFIGURED');
    return createLumaProvider({
      baseUrl: config.LUMA_API_URL,
      apiKey: config.LUMA_API_KEY,
      pollIntervalMs: config.LUMA_POLL_INTERVAL_MS,
      storage: ctx.storage,
      logger: ctx.logger.child({ provider: 'luma' }),
      publicUrl: config.publicUrl,
      // Only a configured public address can receive callbacks; without one, polling alone.
      callbackUrl: config.PUBLIC_URL ? `${config.publicUrl}/webhooks/luma` : undefined,
    });
  }
  return createLocalProvider({
    redis: ctx.redis,
    storage: ctx.storage,
    logger: ctx.logger.child({ provider: 'local' }),
    ffmpeg: ctx.ffmpeg.ffmpeg,
    keyPrefix: config.QUEUE_PREFIX,
    pollIntervalMs: Math.min(LOCAL_POLL_MS, config.RUNWAY_POLL_INTERVAL_MS),
  });
}

/** The provider a clip was started with (one instance per process and context). */
export function providerFor(ctx: AppContext, name: string | null): Provider {
  if (!PROVIDERS.includes(name as ProviderName)) throw new ProviderError(`Unknown provider ${String(name)}`, false, 'UNKNOWN_PROVIDER');
  let byName = cache.get(ctx);
  if (!byName) cache.set(ctx, (byName = new Map()));
  let p = byName.get(name as ProviderName);
  if (!p) byName.set(name as ProviderName, (p = build(ctx, name as ProviderName)));
  return p;
}

/** Stops this process's local renders (worker shutdown); their leases lapse and others resume them. */
export function shutdownProviders(ctx: AppContext): void {
  for (const p of cache.get(ctx)?.values() ?? []) (p as Provider & { shutdown?: () => void }).shutdown?.();
  cache.delete(ctx);
}
