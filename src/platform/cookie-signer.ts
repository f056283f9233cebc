import { signerFactory, type Signer, type UnsignResult } from '@fastify/cookie';

const MAX_REMEMBERED = 10_000;
/** Session ids and CSRF secrets are short; longer values (a flash message) are signed afresh. */
const MAX_LENGTH = 200;

/**
 * @fastify/cookie's signer, remembering its answers: every request unsigns the same session and
 * CSRF cookies again (an HMAC each), and an answer depends only on the value and the secret.
 * Forgets everything once it holds MAX_REMEMBERED values.
 */
export function rememberingSigner(secret: string): Pick<Signer, 'sign' | 'unsign'> {
  const signer = signerFactory(secret, 'sha256');
  const signed = new Map<string, string>();
  const unsigned = new Map<string, UnsignResult>();
  return {
    sign(value: string): string {
      if (value.length > MAX_LENGTH) return signer.sign(value);
      let hit = signed.get(value);
      if (hit === undefined) {
        if (signed.size >= MAX_REMEMBERED) signed.clear();
        signed.set(value, (hit = signer.sign(value)));
      }
      return hit;
    },
    unsign(value: string): UnsignResult {
      if (value.length > MAX_LENGTH) return signer.unsign(value);
      let hit = unsigned.get(value);
      if (hit === undefined) {
        if (unsigned.size >= MAX_REMEMBERED) unsigned.clear();
        const r = signer.unsign(value);
        unsigned.set(value, (hit = Object.freeze({ ...r }) as UnsignResult));
      }
      return { ...hit } as UnsignResult;
    },
  };
}
