import { currencyDigits } from '../../platform/format.js';

// Stripe amounts are in the currency's smallest unit; how many digits that is comes from Intl
// (platform/format.ts), the same rule the prices are shown with.
const decimals = currencyDigits;

/** "4.99" in usd → 499; "500" in jpy → 500; "1.5" in kwd → 1500. A message a person understands when it is not a price. */
export function parsePrice(input: string, currency: string): { cents: number } | { error: string } {
  const d = decimals(currency);
  const text = input.trim().replace(/,/g, '.');
  const pattern = d === 0 ? /^\d{1,9}$/ : new RegExp(`^\\d{1,7}(\\.\\d{1,${d}})?$`);
  if (!pattern.test(text)) {
    return { error: d === 0 ? `Enter the price as a whole number (${currency.toUpperCase()} has no cents).` : 'Enter the price as an amount like 4.99.' };
  }
  const [whole, frac = ''] = text.split('.');
  const cents = Number(whole) * 10 ** d + Number(frac.padEnd(d, '0') || 0);
  if (cents <= 0) return { error: 'The price must be more than zero.' };
  return { cents };
}

/** The amount as typed in the form: 499 usd → "4.99". */
export function priceInput(cents: number, currency: string): string {
  const d = decimals(currency);
  return (cents / 10 ** d).toFixed(d);
}
