import { startGoogleFake, type GoogleFake } from '../fakes/google.js';
import { startStripeFake, type StripeFake } from '../fakes/stripe.js';
import { createTestApp, type TestApp } from './context.js';

type Env = Record<string, string | undefined>;

/** A Stripe fake and an app configured to use it; `close` stops both. */
export async function startBillingApp(env: Env = {}): Promise<{ t: TestApp; fake: StripeFake; close: () => Promise<void> }> {
  const fake = await startStripeFake();
  const t = await createTestApp({ ...fake.env, ...env });
  return {
    t,
    fake,
    async close() {
      await t.close();
      await fake.close();
    },
  };
}

/** A Google sign-in fake and an app configured to use it (at PUBLIC_URL http://echoes.test); `close` stops both. */
export async function startGoogleApp(env: Env = {}): Promise<{ t: TestApp; google: GoogleFake; close: () => Promise<void> }> {
  const google = await startGoogleFake();
  const t = await createTestApp({ ...google.env, PUBLIC_URL: 'http://echoes.test', ...env });
  return {
    t,
    google,
    async close() {
      await t.close();
      await google.stop();
    },
  };
}
