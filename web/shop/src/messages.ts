// Problem responses in words a shopper understands. The api's `detail` is written for
// developers (api/openapi.yaml); here it only tells which field a 400 or 409 is about.
import { ApiProblem } from './api';

export type Action =
  | 'load'
  | 'register'
  | 'login'
  | 'order'
  | 'cancel'
  | 'update'
  | 'deactivate';

export interface ShopperMessage {
  text: string;
  field?: string; // the form field to mark, when the problem names one
  retry: boolean; // a retry may succeed (the service was unavailable)
  sessionExpired: boolean; // the shopper must sign in again
}

const kFieldNames: Record<string, string> = {
  sid: 'student ID',
  username: 'username',
  email: 'email address',
  password: 'password',
  quantity: 'quantity',
};

const kFieldRules: Record<string, string> = {
  sid: 'A student ID is 1 to 15 letters or digits.',
  username: 'A username is 3 to 50 letters, digits, dots, dashes or underscores.',
  email: 'Enter an email address like name@sustech.edu.cn, without spaces.',
  password: 'A password is 8 to 128 characters long.',
  quantity: 'You can order 1 to 3 at a time.',
};

// The field a problem's detail starts with ("email must be ...", "sid is already taken").
function FieldOf(detail: string): string | undefined {
  const first = /^[a-z_]+/.exec(detail)?.[0];
  return first !== undefined && first in kFieldNames ? first : undefined;
}

export function Describe(problem: ApiProblem, action: Action): ShopperMessage {
  const plain = (text: string, extra: Partial<ShopperMessage> = {}): ShopperMessage => ({
    text,
    retry: false,
    sessionExpired: false,
    ...extra,
  });
  const field = FieldOf(problem.detail);
  switch (problem.status) {
    case 0:
      return plain('We could not reach the store. Check your connection and try again.', { retry: true });
    case 400:
      if (field) return plain(`Please check your ${kFieldNames[field]}. ${kFieldRules[field]}`, { field });
      return plain('Some of the information you entered is not valid. Please check it and try again.');
    case 401:
      if (action === 'login') {
        return plain(
          'That sign-in did not work: the name or password is wrong, or the account was deactivated.',
          { field: 'password' },
        );
      }
      return plain('Your session has expired. Please sign in again.', { sessionExpired: true });
    case 403:
      return plain('You can only view and change your own account.');
    case 404:
      if (action === 'order') return plain('Sorry, this product is no longer available.');
      if (action === 'cancel') return plain('We could not find that order.');
      return plain('We could not find what you were looking for.');
    case 409:
      if (action === 'order') {
        return plain('Sorry, there is not enough stock left for that quantity. Try a smaller quantity or another item.');
      }
      if (action === 'cancel') return plain('This order was already cancelled.');
      if (field) return plain(`That ${kFieldNames[field]} is already taken. Please choose another one.`, { field });
      return plain('Some of these details are already used by another account.');
    case 413:
    case 415:
      return plain('The store could not accept that request. Please reload the page and try again.');
    case 422:
      return plain('This order attempt clashed with an earlier one. Please place the order again.');
    case 502:
    case 503:
    case 504:
      return plain('The store is temporarily unavailable. Please try again in a moment.', { retry: true });
    default:
      return plain('Something went wrong on our side. Please try again.', { retry: problem.status >= 500 });
  }
}
