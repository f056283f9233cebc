// @ts-check
/** The page's CSRF token (`<meta name="csrf-token">`), sent by scripts as `x-csrf-token`. */
export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return (meta && meta.getAttribute('content')) || '';
}
