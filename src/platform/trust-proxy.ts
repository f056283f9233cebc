import type { Config } from './config.js';

type TrustFn = (address: string, hop: number) => boolean;

/**
 * Fastify's trustProxy from TRUST_PROXY. A hop count becomes a function because Fastify 5 refuses
 * a bare number (it cannot check the peer): trusting "the N nearest hops" is right only when the
 * app is reachable solely through those proxies, which is what setting a count declares.
 */
export function fastifyTrustProxy(setting: Config['trustProxy']): false | string[] | TrustFn {
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return setting;
}
