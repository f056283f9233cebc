/**
 * Browser and system in words, from a User-Agent header: enough to tell one's own devices
 * apart, not a full parser. Order matters: Edge and Opera also say "Chrome", Chrome says "Safari".
 */
const BROWSERS: Array<[RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/\b(?:OPR|Opera)\/(\d+)/, 'Opera'],
  [/\bSamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/\bFirefox\/(\d+)|\bFxiOS\/(\d+)/, 'Firefox'],
  [/\bCriOS\/(\d+)/, 'Chrome'],
  [/\b(?:HeadlessChrome|Chromium|Chrome)\/(\d+)/, 'Chrome'],
  [/\bVersion\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
];

const SYSTEMS: Array<[RegExp, string]> = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

export interface DeviceName {
  browser: string;
  system: string;
  mobile: boolean;
}

export function describeUserAgent(ua: string | null | undefined): DeviceName {
  const s = ua ?? '';
  let browser = 'Unknown browser';
  for (const [re, name] of BROWSERS) {
    if (re.test(s)) {
      browser = name;
      break;
    }
  }
  const system = SYSTEMS.find(([re]) => re.test(s))?.[1] ?? 'unknown system';
  return { browser, system, mobile: /Mobi|iPhone|Android/.test(s) };
}
