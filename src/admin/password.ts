import { createHash, timingSafeEqual } from 'node:crypto';

export type PasswordMode = 'disabled' | 'plain' | 'argon2';

/** ADMIN_PASSWORD is either unset (no admin area), a plain value, or an argon2 PHC hash. */
export function passwordMode(stored: string | undefined): PasswordMode {
  if (!stored) return 'disabled';
  return stored.startsWith('$argon2') ? 'argon2' : 'plain';
}

/** Admin sign-in cannot work as configured (a hash without the library to check it). */
export class AdminPasswordConfigError extends Error {}

type Argon2 = { verify(hashed: string, password: string): Promise<boolean> };
let argon2: Promise<Argon2> | undefined;

/** Loaded on first use so a plain password never needs the native module. */
export function loadArgon2(): Promise<Argon2> {
  argon2 ??= import('@node-rs/argon2').then(
    (m) => m as Argon2,
    () => {
      argon2 = undefined;
      throw new AdminPasswordConfigError('ADMIN_PASSWORD is an argon2 hash, but the @node-rs/argon2 package is not installed.');
    },
  );
  return argon2;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Checks a sign-in attempt. Plain values are compared as SHA-256 digests in constant time, so
 * neither the length nor the first differing byte leaks through timing.
 */
export async function checkAdminPassword(stored: string | undefined, given: string): Promise<boolean> {
  const mode = passwordMode(stored);
  if (mode === 'disabled' || !given) return false;
  if (mode === 'plain') return timingSafeEqual(digest(stored!), digest(given));
  const lib = await loadArgon2();
  try {
    return await lib.verify(stored!, given);
  } catch {
    throw new AdminPasswordConfigError('ADMIN_PASSWORD looks like an argon2 hash but could not be read; check its value.');
  }
}
