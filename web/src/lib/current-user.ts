import type { components } from '@chartroom/client';
import { api } from './api/client';
import { forgetSignedIn, maybeSignedIn } from './session-hint';

type Me = components['schemas']['User'];

let asked: Promise<Me | undefined> | undefined;

/**
 * Who is signed in, asked of the API at most once per page: the user menu and the page's own
 * script share the answer. Anonymous visitors (no hint) are not asked at all.
 */
export function currentUser(): Promise<Me | undefined> {
  asked ??= maybeSignedIn()
    ? api.GET('/v1/me').then(
        (me) => {
          if (me.response.status === 401) forgetSignedIn();
          return me.data;
        },
        () => undefined,
      )
    : Promise.resolve(undefined);
  return asked;
}
