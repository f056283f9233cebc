const RETURN_BASE = 'http://echoes.invalid';
const MAX_RETURN_PATH = 2000;
/** Starts like a scheme-relative or backslash reference ("//host", "/\\host"): leaves the site. */
const LEAVES_SITE = /^[/\\][/\\]/;
/** Tabs, newlines and other controls (browsers drop or split on them), backslashes and spaces. */
const UNSAFE_CHARS = /[\u0000-\u0020\u007f-\u009f\\]/;

function fullyDecoded(value: string): string | null {
  let current = value;
  for (let i = 0; i < 5; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return null;
    }
    if (next === current) return current;
    current = next;
  }
  return null; // still changing after five rounds: nothing a real page links to
}

/**
 * Same-site paths only, so a crafted link cannot send someone elsewhere after sign-in. Anything
 * doubtful is refused (the fallback), never repaired: the URL parser's normalisation is what turns
 * "/.//evil.example" into "//evil.example", so the input *and* its normalised and decoded forms
 * must all be a single-slash path on this site.
 */
export function safeReturnPath(value: unknown, fallback = '/projects'): string {
  if (typeof value !== 'string' || value.length > MAX_RETURN_PATH) return fallback;
  if (!value.startsWith('/') || LEAVES_SITE.test(value) || UNSAFE_CHARS.test(value)) return fallback;
  if (!isPlainPath(value.split(/[?#]/, 1)[0]!)) return fallback;
  let parsed: URL;
  try {
    parsed = new URL(value, RETURN_BASE);
  } catch {
    return fallback;
  }
  if (parsed.origin !== RETURN_BASE || !isPlainPath(parsed.pathname)) return fallback;
  // Re-serialised, so the Location header carries only percent-encoded ASCII.
  const result = parsed.pathname + parsed.search + parsed.hash;
  return result.length > MAX_RETURN_PATH ? fallback : result;
}

/** A path that starts with one slash, also once percent-decoded ("/%2f/x", "/%5cx" are refused). */
function isPlainPath(path: string): boolean {
  if (!path.startsWith('/') || LEAVES_SITE.test(path)) return false;
  const decoded = fullyDecoded(path);
  return decoded !== null && !LEAVES_SITE.test(decoded) && !UNSAFE_CHARS.test(decoded);
}
