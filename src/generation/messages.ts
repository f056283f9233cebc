import { gaveUpMessage } from '../platform/job-retry.js';

/** What the creator reads on the card when a generation ends badly; details go to logs. */
export const MESSAGES = {
  /** Our own failure (database, Redis, storage) outlasted every retry: nothing for them to change. */
  ours: `${gaveUpMessage('We could not make this clip')} Your credits were refunded.`,
  safety: 'The image or prompt was refused by the content filter. Try a different image or prompt. Your credits were refunded.',
  asset: 'The video service could not use this image. Try a different image. Your credits were refunded.',
  internal: 'The video service had a problem making this clip. Please try again. Your credits were refunded.',
  failed: 'This clip could not be generated. Please try again. Your credits were refunded.',
  providerCancelled: 'The video service stopped this generation. Please try again. Your credits were refunded.',
  cancelled: 'Cancelled',
  timeout: 'This clip took too long and was stopped. Please try again. Your credits were refunded.',
  unavailable: 'The video service is not responding right now. Please try again in a few minutes. Your credits were refunded.',
  refused: 'The video service refused this request. Please try again later. Your credits were refunded.',
  outputRefused: 'The finished video was offered from a place Echoes does not download from, so it was not used. Please try again. Your credits were refunded.',
  outputTooLarge: 'The finished video was larger than Echoes accepts, so it was not used. Please try again. Your credits were refunded.',
} as const;

export interface Failure {
  code: string;
  message: string;
  detail?: string;
}

export function isSafetyCode(code: string | undefined): boolean {
  return Boolean(code && (/^SAFETY(\.|$)/.test(code) || /^INPUT_PREPROCESSING\.SAFETY(\.|$)/.test(code)));
}

/** A FAILED task, told plainly (specs/runway.md, "Failure codes"). */
export function describeTaskFailure(failureCode: string | undefined, failure: string | undefined): Failure {
  const code = failureCode || 'FAILED';
  const detail = failure || undefined;
  if (isSafetyCode(failureCode)) return { code, message: MESSAGES.safety, detail };
  // The local render is ours, and it was already tried again here (providers/local.ts).
  if (code === 'RENDER_FAILED') return { code, message: MESSAGES.ours, detail };
  if (code.startsWith('ASSET.')) return { code, message: MESSAGES.asset, detail };
  if (code.startsWith('INTERNAL')) return { code, message: MESSAGES.internal, detail };
  return { code, message: MESSAGES.failed, detail };
}

/** A provider call that gave up (budget spent, or not worth retrying), told plainly. */
export function describeProviderError(err: { code: string; retryable: boolean; message: string }): Failure {
  const message =
    err.code === 'OUTPUT_REFUSED' ? MESSAGES.outputRefused
    : err.code === 'OUTPUT_TOO_LARGE' ? MESSAGES.outputTooLarge
    : err.retryable || err.code === 'NOT_CONFIGURED' ? MESSAGES.unavailable
    : MESSAGES.refused;
  return { code: err.code, message, detail: err.message };
}
