import { z } from 'zod';
import type { AppContext } from '../platform/context.js';
import { withTx } from '../platform/db.js';
import type { TransitionKind } from '../platform/db-types.js';
import { NotFoundError, UserError } from '../platform/errors.js';
import { beatLengthOf } from './service.js';
import { longestBetween, TRANSITION_KINDS, TRANSITION_LABELS, wantedLengthS, type TransitionSpec } from '../transitions/kinds.js';
import { recordEdit } from '../undo/record.js';
import { lockClipForUser } from '../clips/queries.js';
import { findProjectOfClip, neighbourLengths, setTransitionColumns } from './queries.js';

const KIND_ERROR = 'Choose a transition: cut, crossfade, dip (to black) or flash.';
const number = (what: string, max: number) =>
  z.coerce.number({ error: `The ${what} must be a number.` }).gt(0, { error: `The ${what} must be more than 0.` }).max(max, { error: `The ${what} can be at most ${max}.` });
const blank = (v: unknown) => (v === '' || v === null ? undefined : v);

/** `kind` with `beats` or `s` (the API), or the card's `amount` with `unit` (beats or s). */
export const transitionForm = z
  .object({
    kind: z.enum(TRANSITION_KINDS as [TransitionKind, ...TransitionKind[]], { error: KIND_ERROR }),
    beats: z.preprocess(blank, number('length in beats', 16).optional()),
    s: z.preprocess(blank, number('length in seconds', 10).optional()),
    amount: z.preprocess(blank, z.coerce.number({ error: 'The length must be a number.' }).optional()),
    unit: z.preprocess(blank, z.enum(['beats', 's'], { error: 'Give the length in beats or in seconds.' }).optional()),
  })
  .transform((f, ctx) => {
    let { beats, s } = f;
    if (f.amount !== undefined && beats === undefined && s === undefined) {
      const parsed = (f.unit === 's' ? number('length in seconds', 10) : number('length in beats', 16)).safeParse(f.amount);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: parsed.error.issues[0]!.message });
        return z.NEVER;
      }
      if (f.unit === 's') s = parsed.data;
      else beats = parsed.data;
    }
    if (beats !== undefined && s !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'Give the length in beats or in seconds, not both.' });
      return z.NEVER;
    }
    return { kind: f.kind, beats: f.kind === 'cut' ? null : beats ?? null, s: f.kind === 'cut' ? null : s ?? null } satisfies TransitionSpec;
  });

const fmtS = (s: number) => `${Math.round(s * 100) / 100} s`;

/**
 * Sets the transition from the clip into the next one (in the project's order, the next clip with a
 * video). It may last at most half the shorter of the two clips (the film plan's rule), so what is
 * asked is what plays; anything longer is refused with the most it can be, and nothing changes.
 */
export async function setTransition(ctx: AppContext, userId: string, clipId: string, spec: Required<TransitionSpec>): Promise<void> {
  await withTx(ctx.db, async (tx) => {
    const clip = await lockClipForUser(tx, userId, clipId);
    if (!clip) throw new NotFoundError();
    const project = await findProjectOfClip(tx, clip.project_id);
    if (!project) throw new NotFoundError();
    const { own, next } = await neighbourLengths(tx, clip.project_id, clip.id);
    const beatS = spec.beats ? await beatLengthOf(tx, project) : null;
    const wanted = wantedLengthS(spec, beatS);
    const most = longestBetween(own ?? clip.duration_s, next ?? own ?? clip.duration_s);
    if (wanted > most + 1e-6) {
      const asked = spec.beats ? `${spec.beats} ${spec.beats === 1 ? 'beat' : 'beats'} (${fmtS(wanted)})` : fmtS(wanted);
      throw new UserError(`A ${TRANSITION_LABELS[spec.kind].toLowerCase()} of ${asked} is longer than these clips allow: at most ${fmtS(most)}, half the shorter clip.`, 400, 'transition_too_long');
    }
    await setTransitionColumns(tx, clip.id, spec);
    await recordEdit(tx, {
      projectId: clip.project_id,
      userId,
      kind: 'transition',
      clipId: clip.id,
      label: 'Transition changed',
      undo: { set: [{ clipId: clip.id, columns: { transition_kind: clip.transition_kind, transition_s: clip.transition_s, transition_beats: clip.transition_beats } }] },
    });
  });
}
