import dns from 'node:dns';
import net from 'node:net';
import type { Config } from '../platform/config.js';
import { ProviderError } from './providers/types.js';

/**
 * Where a provider's finished video may be downloaded from. A provider answers with a URL and we
 * fetch it from inside our network, so a URL (or a redirect) pointing anywhere else — an internal
 * service, the cloud metadata address, plain http — is refused rather than followed.
 */
export interface OutputPolicy {
  /** Host names; each also allows its subdomains. */
  hosts: string[];
  /** Tests only: a fake on 127.0.0.1 may answer over http. Never in development or production. */
  allowLoopback: boolean;
  maxBytes: number;
}

export function parseHosts(list: string): string[] {
  return list
    .split(',')
    .map((h) => h.trim().toLowerCase().replace(/^\.+|\.+$/g, ''))
    .filter(Boolean);
}

/** The policy for a provider's output URLs; a provider without a list of its own may fetch nothing. */
export function outputPolicy(config: Config, provider: string): OutputPolicy {
  return {
    hosts: provider === 'runway' ? parseHosts(config.RUNWAY_OUTPUT_HOSTS) : provider === 'luma' ? parseHosts(config.LUMA_OUTPUT_HOSTS) : [],
    allowLoopback: config.NODE_ENV === 'test',
    maxBytes: config.MAX_VIDEO_BYTES,
  };
}

export function outputRefused(why: string): ProviderError {
  return new ProviderError(`output URL refused: ${why}`, false, 'OUTPUT_REFUSED');
}

const PRIVATE = new net.BlockList();
for (const [addr, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) PRIVATE.addSubnet(addr, prefix, 'ipv4');
// (IPv4-mapped IPv6 is checked as the IPv4 it carries: a ::ffff:0:0/96 rule here would match every IPv4 address.)
for (const [addr, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) {
  PRIVATE.addSubnet(addr, prefix, 'ipv6');
}

function isLoopbackAddress(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || /^::ffff:127\./i.test(address);
}

/** Not an address on the public internet (private, loopback, link-local, metadata, multicast…). */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1]!, 'ipv4');
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function hostAllowed(host: string, hosts: string[]): boolean {
  return hosts.some((h) => host === h || host.endsWith(`.${h}`));
}

/** Parses and checks one URL (the provider's, or a redirect's target); throws a non-retryable refusal. */
export function checkOutputUrl(raw: string, policy: OutputPolicy, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw outputRefused('not a URL');
  }
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const loopback = policy.allowLoopback && (host === 'localhost' || (net.isIP(host) !== 0 && isLoopbackAddress(host)));
  if (url.username || url.password) throw outputRefused('it carries a user name or password');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw outputRefused(`${url.protocol} is not https`);
  if (net.isIP(host) && !loopback) throw outputRefused(`${host} is an address, not a host name`);
  if (!hostAllowed(host, policy.hosts)) throw outputRefused(`host ${host} is not one of the provider's output hosts`);
  return url;
}

/**
 * A DNS lookup for the download that refuses names resolving to non-public addresses, checked on
 * the very addresses the socket then connects to (no gap for a rebinding answer).
 */
export function guardedLookup(policy: OutputPolicy): net.LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err);
      const bad = addresses.find((a) => isPrivateAddress(a.address) && !(policy.allowLoopback && isLoopbackAddress(a.address)));
      if (bad || addresses.length === 0) return callback(outputRefused(`${hostname} resolves to ${bad?.address ?? 'nothing'}, not a public address`));
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  }) as net.LookupFunction;
}
