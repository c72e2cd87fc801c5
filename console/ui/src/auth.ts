// The bearer token of a tome server that has `security.tokens`: kept for the browser tab
// (sessionStorage), sent with every API call as "Authorization: Bearer ...", and with the
// EventSource stream as ?access_token= (EventSource cannot send headers). A 401 from any call
// asks for a token (SignIn in main.tsx).
const KEY = 'tome.token';
const listeners = new Set<() => void>();
let required = false;

export function token(): string {
  try { return sessionStorage.getItem(KEY) || ''; } catch { return ''; }
}

export function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const t = token();
  return t ? { ...extra, authorization: `Bearer ${t}` } : extra;
}

/** `url` with the token as its access_token query parameter, when there is one. */
export function withAccessToken(url: string): string {
  const t = token();
  return t ? `${url}${url.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(t)}` : url;
}

export function setToken(value: string) {
  try { sessionStorage.setItem(KEY, value); } catch { /* private mode: this page only */ }
}

/** Called on a 401: the token is missing or wrong; SignIn shows itself. */
export function tokenRequired() {
  if (required) return;
  required = true;
  listeners.forEach((l) => l());
}

export function isTokenRequired() { return required; }

export function onTokenRequired(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Asks for another token (a page whose data needs more scope than this tab's token has). */
export function requestToken() {
  required = false;
  tokenRequired();
}
