const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(currency: string): Intl.NumberFormat {
  const code = currency.toUpperCase();
  let f = formatters.get(code);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { style: 'currency', currency: code });
    formatters.set(code, f);
  }
  return f;
}

/** An amount in the currency's smallest unit (cents; yen have none), formatted for people. */
export function formatMoney(minorUnits: number, currency: string): string {
  const f = formatterFor(currency);
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  return f.format(minorUnits / 10 ** digits);
}

/** "$0.90" for a pack of 20 credits at $18.00. */
export function pricePerCredit(priceMinorUnits: number, credits: number, currency: string): string {
  return formatMoney(Math.round(priceMinorUnits / credits), currency);
}
