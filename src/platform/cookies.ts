import type { Config } from './config.js';

/**
 * The `secure` flag of every cookie the app sets. It follows what the server really serves: an
 * https PUBLIC_URL means always Secure; otherwise 'auto' marks a cookie Secure only on a request
 * that arrived over https (directly, or as a proxy named in TRUST_PROXY says). A Secure cookie on a
 * plain-http site is dropped by the browser, which would loop sign-in back to /login.
 */
export function cookieSecure(config: Pick<Config, 'publicUrl'>): true | 'auto' {
  return servesHttps(config) ? true : 'auto';
}

export function servesHttps(config: Pick<Config, 'publicUrl'>): boolean {
  return config.publicUrl.startsWith('https:');
}
