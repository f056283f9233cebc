import { Strategy as GoogleStrategy, type StrategyOptions, type VerifyCallback } from 'passport-google-oauth20';
import type { Config } from '../platform/config.js';
import type { ProfileInput } from './queries.js';
import { cookieStateStore } from './google-state.js';

/** What Google's v3 userinfo endpoint answers (the fields we read). */
interface GoogleUserinfo {
  sub?: unknown;
  name?: unknown;
  email?: unknown;
  email_verified?: unknown;
  picture?: unknown;
}

const text = (v: unknown, max: number) => (typeof v === 'string' ? v.trim().slice(0, max) : '');

/**
 * Google's userinfo JSON → our profile; null when it lacks the stable id or an email. Throws
 * UnverifiedEmailError unless Google says it verified the email: anyone can create a Google
 * account naming someone else's address.
 */
export function parseUserinfo(json: GoogleUserinfo): ProfileInput | null {
  const sub = text(json.sub, 255);
  const email = text(json.email, 320).toLowerCase();
  if (!sub || !email) return null;
  if (json.email_verified !== true && json.email_verified !== 'true') throw new UnverifiedEmailError();
  const picture = text(json.picture, 2000);
  return {
    googleSub: sub,
    email,
    name: text(json.name, 100) || email.split('@')[0]!,
    // Only an https image may end up in an <img src>.
    avatarUrl: /^https:\/\/[^\s"'<>]+$/.test(picture) ? picture : null,
  };
}

/** Google signed the person in, but has not verified that the account's email is theirs. */
export class UnverifiedEmailError extends Error {
  override name = 'UserInfoError';
  constructor() {
    super('Google has not verified the email of this account');
  }
}

/** Google signed the person in but did not share the id or email an account needs. */
class UnusableProfileError extends Error {
  override name = 'UserInfoError';
  constructor() {
    super('Google returned an unusable profile');
  }
}

/**
 * passport-google-oauth20 picks its profile parser from the shape of the URL and sends the token
 * as a query parameter. We always speak the v3 userinfo format and send a Bearer header, as the
 * spec says, wherever GOOGLE_USERINFO_URL points.
 */
class EchoesGoogleStrategy extends GoogleStrategy {
  constructor(private userinfoUrl: string, options: StrategyOptions) {
    // The "profile" handed on is already our ProfileInput (see userProfile below).
    super(options, (_accessToken: string, _refreshToken: string, profile: unknown, done: VerifyCallback) => done(null, profile as Express.User));
    this._oauth2.useAuthorizationHeaderforGET(true);
  }

  override userProfile(accessToken: string, done: (err?: unknown, profile?: unknown) => void): void {
    this._oauth2.get(this.userinfoUrl, accessToken, (err, body) => {
      if (err) return done(Object.assign(new Error('Google did not return the profile'), { name: 'UserInfoError', oauthError: err }));
      let profile: ProfileInput | null = null;
      try {
        profile = parseUserinfo(JSON.parse(String(body)) as GoogleUserinfo);
      } catch (e) {
        if (e instanceof UnverifiedEmailError) return done(e);
        profile = null;
      }
      if (!profile) return done(new UnusableProfileError());
      done(null, profile);
    });
  }
}

/** The strategy only talks to Google; what to do with the profile is the route's business. */
export function createGoogleStrategy(config: Config) {
  return new EchoesGoogleStrategy(
    config.GOOGLE_USERINFO_URL,
    {
      clientID: config.GOOGLE_CLIENT_ID!,
      clientSecret: config.GOOGLE_CLIENT_SECRET!,
      callbackURL: `${config.publicUrl}/auth/google/callback`,
      authorizationURL: config.GOOGLE_AUTH_URL,
      tokenURL: config.GOOGLE_TOKEN_URL,
      userProfileURL: config.GOOGLE_USERINFO_URL,
      scope: ['profile', 'email'],
      // The state lives in a short-lived signed cookie, not a session row (google-state.ts).
      store: cookieStateStore as never,
    },
  );
}

export type GoogleFailure = { status: number; title: string; message: string };

/**
 * Why a Google sign-in did not finish, in words for the person. Anything that is not about the
 * OAuth exchange (a database error, say) returns null so it is handled as a real server error.
 */
export function describeGoogleFailure(err: unknown, query: Record<string, unknown>, status?: number): GoogleFailure | null {
  if (!err) {
    if (query.error === 'access_denied') {
      return { status: 200, title: 'Sign-in cancelled', message: 'You chose not to sign in with Google. Nothing was shared with Echoes.' };
    }
    if (status === 403) {
      return { status: 403, title: 'Sign-in expired', message: 'We could not match this sign-in to your browser session. It may have expired or been started elsewhere.' };
    }
    return { status: 400, title: 'Sign-in failed', message: 'Google did not confirm your sign-in.' };
  }
  const e = err as { name?: string; oauthError?: { statusCode?: number } };
  if (e.name === 'TokenError' || e.name === 'AuthorizationError') {
    return { status: 400, title: 'Sign-in failed', message: 'Google did not accept this sign-in (the link may have been used already or expired).' };
  }
  if (err instanceof UnverifiedEmailError) {
    return { status: 403, title: 'Email not verified', message: 'Google has not verified the email address of this Google account, so Echoes cannot use it. Verify the address with Google (or sign in with another account), then try again.' };
  }
  if (err instanceof UnusableProfileError) {
    return { status: 400, title: 'Sign-in failed', message: 'Google did not share your email address with Echoes, which we need to create your account.' };
  }
  if (e.name === 'InternalOAuthError' || e.name === 'UserInfoError') {
    const reached = typeof e.oauthError?.statusCode === 'number';
    return reached
      ? { status: 400, title: 'Sign-in failed', message: 'Google did not accept this sign-in. Please start again.' }
      : { status: 502, title: 'Google is not answering', message: 'We could not reach Google to finish signing you in. Please try again in a moment.' };
  }
  return null;
}
