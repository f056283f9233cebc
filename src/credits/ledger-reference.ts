/** The ledger reference of a charge and of its refund (design: `<clip id>:<attempt>`). */
export function ledgerReference(clipId: string, attempt: number): string {
  return `${clipId}:${attempt}`;
}
