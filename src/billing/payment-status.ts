import type { PaymentStatus } from '../platform/db-types.js';

/** How a payment's status reads on the credits page, and its badge. */
export const PAYMENT_STATUS: Record<PaymentStatus, { label: string; badge: string }> = {
  pending: { label: 'Awaiting payment', badge: 'badge-warn' },
  paid: { label: 'Paid', badge: 'badge-ok' },
  failed: { label: 'Failed', badge: 'badge-danger' },
  expired: { label: 'Expired', badge: '' },
  refunded: { label: 'Refunded', badge: '' },
};
