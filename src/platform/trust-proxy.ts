import { BlockList, isIP } from 'node:net';
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

// The names proxy-addr (Fastify's reader of TRUST_PROXY) understands.
const NAMED: Record<string, Array<[string, number, 'ipv4' | 'ipv6']>> = {
  loopback: [['127.0.0.1', 8, 'ipv4'], ['::1', 128, 'ipv6']],
  linklocal: [['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']],
  uniquelocal: [['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4'], ['fc00::', 7, 'ipv6']],
};

const family = (ip: string) => (isIP(ip) === 6 ? 'ipv6' : 'ipv4');
const maskBits = (mask: string) => mask.split('.').reduce((n, part) => n + Number(part).toString(2).replace(/0/g, '').length, 0);

/**
 * Whether the peer that sent a request (the socket's address) is a proxy TRUST_PROXY names: only
 * then are the headers it adds (X-Request-Id) taken as its word rather than the client's.
 */
export function peerIsTrustedProxy(setting: Config['trustProxy']): (peer: string | undefined) => boolean {
  if (setting === false) return () => false;
  if (typeof setting === 'number') return () => setting > 0;
  const list = new BlockList();
  for (const entry of setting) {
    if (NAMED[entry]) {
      for (const [net, bits, fam] of NAMED[entry]) list.addSubnet(net, bits, fam);
      continue;
    }
    const [ip, bits] = entry.split('/') as [string, string | undefined];
    if (bits === undefined) list.addAddress(ip, family(ip));
    else list.addSubnet(ip, isIP(bits) ? maskBits(bits) : Number(bits), family(ip));
  }
  return (peer) => {
    if (!peer || !isIP(peer)) return false;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(peer)?.[1];
    return list.check(peer, family(peer)) || (mapped !== undefined && list.check(mapped, 'ipv4'));
  };
}
