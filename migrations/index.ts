import type { Migration } from 'kysely';
import * as m0001 from './0001_initial.js';
import * as m0004 from './0004_billing.js';
import * as m0006 from './0006_export_details.js';
import * as m0008 from './0008_referral_index.js';
import * as m0009 from './0009_beat_sync.js';
import * as m0010 from './0010_quotas.js';
import * as m0012 from './0012_admin_sessions.js';
import * as m0013 from './0013_provider_attempts.js';
import * as m0014 from './0014_storage_total.js';
import * as m0015 from './0015_account.js';
import * as m0016 from './0016_job_failures.js';
import * as m0017 from './0017_takes.js';
import * as m0018 from './0018_payment_mismatch.js';
import * as m0019 from './0019_change_feed.js';
import * as m0020 from './0020_clip_focus.js';
import * as m0021 from './0021_edit_log.js';
import * as m0022 from './0022_clip_tombstones.js';
import * as m0023 from './0023_clip_trim.js';
import * as m0024 from './0024_take_direction.js';
import * as m0025 from './0025_export_options.js';
import * as m0026 from './0026_transitions.js';
import * as m0027 from './0027_shape_offer.js';

// Listed explicitly (not read from disk) so the same list works under tsx, vitest and bundlers.
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0004_billing': m0004,
  '0006_export_details': m0006,
  '0008_referral_index': m0008,
  '0009_beat_sync': m0009,
  '0010_quotas': m0010,
  '0012_admin_sessions': m0012,
  '0013_provider_attempts': m0013,
  '0014_storage_total': m0014,
  '0015_account': m0015,
  '0016_job_failures': m0016,
  '0017_takes': m0017,
  '0018_payment_mismatch': m0018,
  '0019_change_feed': m0019,
  '0020_clip_focus': m0020,
  '0021_edit_log': m0021,
  '0022_clip_tombstones': m0022,
  '0023_clip_trim': m0023,
  '0024_take_direction': m0024,
  '0025_export_options': m0025,
  '0026_transitions': m0026,
  '0027_shape_offer': m0027,
};
