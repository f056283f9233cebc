// Hand-kept Kysely types; keep in step with migrations/ (test/platform/db-types.test.ts compares them with the migrated schema).
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string, string>;

export type DeletionRequester = 'self' | 'admin';
/** A take's state; a clip's is its current AI attempt's, or `draft` while it has only free drafts. */
export type TakeStatus = 'queued' | 'generating' | 'ready' | 'error';
export type ClipStatus = 'draft' | TakeStatus;
export type ProjectStatus = 'in_progress' | 'completed';
export type LedgerType = 'signup' | 'purchase' | 'referral' | 'generation' | 'refund' | 'share' | 'admin';
export type PaymentStatus = 'pending' | 'paid' | 'failed' | 'expired' | 'refunded';
export type ExportStatus = 'queued' | 'rendering' | 'ready' | 'error';
export type AnalysisStatus = 'queued' | 'running' | 'ready' | 'no_beat' | 'error';
export type CutMode = 'beat' | 'downbeat';

export interface UsersTable {
  id: Generated<string>;
  google_sub: string | null;
  email: string;
  name: string;
  avatar_url: string | null;
  credit_balance: Generated<number>;
  /** Bytes stored (images, videos, music, exports), kept by triggers (migration 0014). */
  storage_bytes: Generated<number>;
  referral_code: string;
  referred_by: string | null;
  disabled_at: Date | null;
  /** Set only on the anonymous row that keeps a deleted account's payments and ledger. */
  deleted_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SessionsTable {
  sid: string;
  user_id: string | null;
  data: Json;
  expires_at: Timestamp;
  user_agent: string | null;
  created_at: Generated<Date>;
  last_seen_at: Generated<Date>;
}

/** A hash of a deleted account's Google subject, and nothing else (no second sign-up credit). */
export interface DeletedSubjectsTable {
  subject_hash: string;
  created_at: Generated<Date>;
}

export type AccountDeletionStatus = 'pending' | 'done';

/** A deletion being carried out; user_id is cleared when it is done, anon_id then holds the books. */
export interface AccountDeletionsTable {
  id: Generated<string>;
  user_id: string | null;
  anon_id: Generated<string>;
  requested_by: DeletionRequester;
  status: Generated<AccountDeletionStatus>;
  step: string | null;
  created_at: Generated<Date>;
  finished_at: Date | null;
}

export type AccountExportStatus = 'queued' | 'building' | 'ready' | 'error';

/** A "download my data" ZIP. */
export interface AccountExportsTable {
  id: Generated<string>;
  user_id: string;
  status: Generated<AccountExportStatus>;
  progress: Generated<number>;
  object_key: string | null;
  size_bytes: number | null;
  error_message: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ProjectsTable {
  id: Generated<string>;
  user_id: string;
  title: string;
  ratio: string;
  music_key: string | null;
  music_name: string | null;
  music_duration_s: number | null;
  /** Size of the stored track (null: stored before sizes were recorded, not yet backfilled). */
  music_bytes: number | null;
  status: Generated<ProjectStatus>;
  share_token: string | null;
  shared_at: Date | null;
  cut_on_beat: Generated<boolean>;
  cut_mode: Generated<CutMode>;
  /** The creator has answered the shape the first photos suggested (src/shape), so it is not offered again. */
  shape_settled: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ClipsTable {
  id: Generated<string>;
  project_id: string;
  user_id: string;
  image_key: string;
  thumb_key: string | null;
  /** Stored image plus thumbnail, in bytes (null: not recorded yet). Videos belong to takes. */
  image_bytes: number | null;
  /** The take the film uses (null: none ready yet). */
  take_id: string | null;
  prompt: string;
  status: Generated<ClipStatus>;
  duration_s: number;
  ratio: string;
  progress: Generated<number>;
  provider: string | null;
  model: string | null;
  provider_task_id: string | null;
  attempt: Generated<number>;
  error_code: string | null;
  error_message: string | null;
  error_detail: string | null;
  approved: Generated<boolean>;
  position: number;
  credits_spent: Generated<number>;
  request_id: string | null;
  submitted_at: Date | null;
  finished_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** The provider this attempt was first meant for, when it went to the fallback instead. */
  failover_from: string | null;
  failover_reason: string | null;
  /** The current attempt's camera motion preset (src/generation/motion.ts); null: none asked for. */
  motion: string | null;
  /** The photo the current attempt ends on (the next clip's image), where its provider can; null: none. */
  end_image_key: string | null;
  /** The crop's focal point in the photo, each 0–1 from the top left (0.5: the centre). */
  focus_x: Generated<number>;
  focus_y: Generated<number>;
  /** The upright photo before any crop (null: uploaded before focal points; re-crop from image_key). */
  source_key: string | null;
  /** The upright photo's size before any crop (null: uploaded before it was recorded): the shape offer reads it. */
  source_width: number | null;
  source_height: number | null;
  /** Which part of the chosen take the film uses (s from its start); out null: to its end. */
  trim_in_s: Generated<number>;
  trim_out_s: number | null;
  /** The transition from this clip into the next (src/film/transition.ts). */
  transition_kind: Generated<TransitionKind>;
  /** Its length in seconds, or in beats of the music; neither: the kind's default. */
  transition_s: number | null;
  transition_beats: number | null;
}

export type TakeKind = 'draft' | 'ai';
export type TransitionKind = 'cut' | 'crossfade' | 'dip' | 'flash';

/** One video made from a clip's photo: a free draft (local motion render) or an AI take (one attempt). */
export interface TakesTable {
  id: Generated<string>;
  clip_id: string;
  user_id: string;
  kind: TakeKind;
  status: Generated<TakeStatus>;
  /** The clip's AI attempt that made it (ledger `<clip>:<attempt>`); null for drafts. */
  attempt: number | null;
  prompt: Generated<string>;
  motion: string | null;
  /** The photo the take ends on (the next clip's image when it was asked for); null: none. */
  end_image_key: string | null;
  provider: string | null;
  model: string | null;
  /** The length asked for. */
  duration_s: number;
  video_key: string | null;
  video_bytes: number | null;
  /** The length of the MP4 received (read from its MP4 header); null until ready or when it could not be read. */
  video_duration_s: number | null;
  credits_spent: Generated<number>;
  error_code: string | null;
  error_message: string | null;
  created_at: Generated<Date>;
  finished_at: Date | null;
}

export type SubmissionStatus = 'submitting' | 'accepted' | 'refused' | 'vanished';

/** One try to start an attempt at a provider (admin view: who ran it, why a failover happened). */
export interface ProviderSubmissionsTable {
  id: Generated<string>;
  clip_id: string;
  attempt: number;
  provider: string;
  model: string | null;
  status: Generated<SubmissionStatus>;
  task_id: string | null;
  reason: string | null;
  detail: string | null;
  created_at: Generated<Date>;
  finished_at: Date | null;
}

export interface CreditTransactionsTable {
  id: Generated<string>;
  user_id: string;
  amount: number;
  type: LedgerType;
  reference_id: string | null;
  note: string | null;
  created_at: Generated<Date>;
}

export interface PaymentsTable {
  id: Generated<string>;
  user_id: string;
  credit_pack_id: string;
  stripe_session_id: string | null;
  stripe_payment_intent: string | null;
  amount_cents: number;
  currency: string;
  credits_purchased: number;
  status: Generated<PaymentStatus>;
  error_message: string | null;
  /** What a paid event reported that differed from this payment (nothing was granted for it). */
  mismatch: string | null;
  mismatch_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface CreditPacksTable {
  id: Generated<string>;
  name: string;
  credits: number;
  price_cents: number;
  currency: Generated<string>;
  active: Generated<boolean>;
  sort_order: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SettingsTable {
  key: string;
  value: Json;
  updated_at: Generated<Date>;
}

export interface ExportsTable {
  id: Generated<string>;
  project_id: string;
  user_id: string;
  status: Generated<ExportStatus>;
  progress: Generated<number>;
  object_key: string | null;
  error_message: string | null;
  source_hash: string | null;
  size_bytes: number | null;
  duration_s: number | null;
  /** 720 or 1080 (the short side); shape `project` or a ratio the clips are cropped to (migration 0025). */
  resolution: Generated<ExportResolution>;
  shape: Generated<ExportShape>;
  /** When its job was put in the render queue: a person has at most one dispatched at a time. */
  dispatched_at: Date | null;
  started_at: Date | null;
  /** Seconds from the start of rendering to the stored file. */
  render_s: number | null;
  /** The finished file as ffprobe reads it (src/export/file-info.ts). */
  file_info: ColumnType<ExportFileInfo | null, string | null, string | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type ExportResolution = 720 | 1080;
export type ExportShape = 'project' | '16:9' | '9:16' | '1:1';

/** What ffprobe says about an exported file. */
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

export interface AdminAuditTable {
  id: Generated<string>;
  actor: string;
  action: string;
  target: string | null;
  before: ColumnType<unknown, string | null, string | null>;
  after: ColumnType<unknown, string | null, string | null>;
  ip: string | null;
  created_at: Generated<Date>;
}

/** A server-side admin session; `id` is the SHA-256 of the cookie's token (see src/admin/admin-session.ts). */
export interface AdminSessionsTable {
  id: string;
  password_tag: string;
  created_at: Generated<Date>;
  expires_at: Date;
  ended_at: Date | null;
  ip: string | null;
  user_agent: string | null;
}

/** Beat analysis of a project's track (music_key); beats/downbeats in seconds, waveform peaks 0..1. */
export interface MusicAnalysesTable {
  project_id: string;
  music_key: string;
  status: Generated<AnalysisStatus>;
  tempo_bpm: number | null;
  beats: ColumnType<number[], string | undefined, string>;
  downbeats: ColumnType<number[], string | undefined, string>;
  waveform: ColumnType<number[], string | undefined, string>;
  duration_s: number | null;
  note: string | null;
  error_message: string | null;
  attempts: Generated<number>;
  started_at: Date | null;
  finished_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** A background job that gave up after its last try, for a reason of ours (listed on /admin/jobs). */
export interface JobFailuresTable {
  id: Generated<string>;
  queue: string;
  job_name: string;
  job_id: string;
  user_id: string | null;
  attempts: number;
  error: string;
  created_at: Generated<Date>;
}

export type EditKind = 'delete' | 'reorder' | 'trim' | 'transition' | 'take' | 'focus';

/** One undoable edit of a project (src/undo): the inverse to apply, and what a deleted clip left behind. */
export interface ProjectEditsTable {
  id: Generated<number>;
  project_id: string;
  user_id: string;
  kind: EditKind;
  clip_id: string | null;
  /** What the Undo toast names: "Clip deleted", "Order changed". */
  label: string;
  inverse: Json;
  /** Storage objects kept so the edit can be undone (a deleted clip's image and videos). */
  held_keys: ColumnType<string[], string | undefined, string>;
  held_bytes: Generated<number>;
  /** Fell out of the last 20: no longer undoable; its held objects wait for the purge. */
  expired: Generated<boolean>;
  created_at: Generated<Date>;
}

/** A deleted clip, kept a day so a page catching up drops its card (migrations/0022_clip_tombstones.ts). */
export interface ClipTombstonesTable {
  clip_id: string;
  user_id: string;
  project_id: string;
  deleted_at: Generated<Date>;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  projects: ProjectsTable;
  clips: ClipsTable;
  takes: TakesTable;
  credit_transactions: CreditTransactionsTable;
  payments: PaymentsTable;
  credit_packs: CreditPacksTable;
  settings: SettingsTable;
  exports: ExportsTable;
  admin_audit: AdminAuditTable;
  admin_sessions: AdminSessionsTable;
  music_analyses: MusicAnalysesTable;
  provider_submissions: ProviderSubmissionsTable;
  deleted_subjects: DeletedSubjectsTable;
  account_deletions: AccountDeletionsTable;
  account_exports: AccountExportsTable;
  job_failures: JobFailuresTable;
  project_edits: ProjectEditsTable;
  clip_tombstones: ClipTombstonesTable;
}

export type User = Selectable<UsersTable>;
export type Project = Selectable<ProjectsTable>;
export type Clip = Selectable<ClipsTable>;
export type NewClip = Insertable<ClipsTable>;
export type ClipUpdate = Updateable<ClipsTable>;
export type Take = Selectable<TakesTable>;
export type LedgerRow = Selectable<CreditTransactionsTable>;
export type Payment = Selectable<PaymentsTable>;
export type CreditPack = Selectable<CreditPacksTable>;
export type ExportRow = Selectable<ExportsTable>;
export type MusicAnalysis = Selectable<MusicAnalysesTable>;
export type AccountExport = Selectable<AccountExportsTable>;
export type AccountDeletion = Selectable<AccountDeletionsTable>;
