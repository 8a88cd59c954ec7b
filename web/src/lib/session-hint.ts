// The session cookie is HttpOnly and belongs to the API's origin, so pages cannot see it. This
// flag remembers that this browser logged in, so anonymous visitors' pages skip asking the API
// "who am I" (a 401 each time). It is only a hint: the API stays the judge.
const KEY = 'chartroom:signed-in';

export function rememberSignedIn(): void {
  localStorage.setItem(KEY, '1');
}

export function forgetSignedIn(): void {
  localStorage.removeItem(KEY);
}

export function maybeSignedIn(): boolean {
  return localStorage.getItem(KEY) === '1';
}
