import type { Config } from './config.js';

/**
 * The `secure` flag of every cookie the app sets. It follows what the server really serves: in
 * production with an https PUBLIC_URL, always Secure; otherwise 'auto' marks a cookie Secure only
 * on a request that arrived over https (directly, or as a proxy named in TRUST_PROXY says). A
 * Secure cookie on a plain-http site is dropped (the session is not even saved), which would loop
 * sign-in back to /login. Outside production 'auto' also lets tests use an https PUBLIC_URL.
 */
export function cookieSecure(config: Pick<Config, 'publicUrl' | 'NODE_ENV'>): true | 'auto' {
  return httpsOnly(config) ? true : 'auto';
}

/** Served to browsers only over https: production with an https PUBLIC_URL (HSTS, Secure cookies). */
export function httpsOnly(config: Pick<Config, 'publicUrl' | 'NODE_ENV'>): boolean {
  return config.NODE_ENV === 'production' && config.publicUrl.startsWith('https:');
}
