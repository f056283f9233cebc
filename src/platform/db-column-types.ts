// What some columns hold that the schema alone does not say (text with a check, json of a known
// shape, int8 read as a number). scripts/db-types.config.json maps the columns to these types, and
// `npm run db:types` writes src/platform/db-schema.ts from the migrated schema with them.
import type { ColumnType } from 'kysely';

/** json(b) written as JSON text; what a select gives is the caller's to check. */
export type JsonText = ColumnType<unknown, string, string>;
export type JsonTextOrNull = ColumnType<unknown, string | null, string | null>;
/** A json array of numbers or strings with a default ('[]'). */
export type JsonNumbers = ColumnType<number[], string | undefined, string>;
export type JsonStrings = ColumnType<string[], string | undefined, string>;

export type DeletionRequester = 'self' | 'admin';
export type AccountDeletionStatus = 'pending' | 'done';
export type AccountExportStatus = 'queued' | 'building' | 'ready' | 'error';
/** A take's state; a clip's is its current AI attempt's, or `draft` while it has only free drafts. */
export type TakeStatus = 'queued' | 'generating' | 'ready' | 'error';
export type ClipStatus = 'draft' | TakeStatus;
export type TakeKind = 'draft' | 'ai';
export type TransitionKind = 'cut' | 'crossfade' | 'dip' | 'flash';
export type ProjectStatus = 'in_progress' | 'completed';
export type CutMode = 'beat' | 'downbeat';
export type LedgerType = 'signup' | 'purchase' | 'referral' | 'generation' | 'refund' | 'share' | 'admin';
export type PaymentStatus = 'pending' | 'paid' | 'failed' | 'expired' | 'refunded';
export type SubmissionStatus = 'submitting' | 'accepted' | 'refused' | 'vanished';
export type ExportStatus = 'queued' | 'rendering' | 'ready' | 'error';
/** 720 or 1080 (the short side); shape `project` or a ratio the clips are cropped to (migration 0025). */
export type ExportResolution = 720 | 1080;
export type ExportShape = 'project' | '16:9' | '9:16' | '1:1';
export type AnalysisStatus = 'queued' | 'running' | 'ready' | 'no_beat' | 'error';
export type EditKind = 'delete' | 'reorder' | 'trim' | 'transition' | 'take' | 'focus';

/** What ffprobe says about an exported file (exports.file_info; src/export/file-info.ts). */
export interface ExportFileInfo {
  width: number;
  height: number;
  /** The video stream's frame rate as ffprobe gives it (e.g. "24/1", "30000/1001"). */
  frameRate: string;
  frames: number;
  videoCodec: string;
  videoProfile: string;
  videoKbps: number;
  audioCodec: string;
  audioChannels: number;
  audioSampleRate: number;
  durationS: number;
}
export type ExportFileInfoColumn = ColumnType<ExportFileInfo | null, string | null, string | null>;
