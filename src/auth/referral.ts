export const REFERRAL_COOKIE = 'ref';
