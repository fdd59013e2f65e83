// What every view shares: navigation, the notices (problems with their request id, successes)
// and the message carried over to the next view.
import { ApiProblem } from './api';
import { h, Field, SetFieldError } from './dom';
import { Action, Describe } from './messages';
import { ClearSession } from './session';

export interface Flash {
  text: string;
  kind: 'success' | 'error';
  requestId?: string | null;
}

let pending_flash: Flash | null = null;

export function SetFlash(flash: Flash): void {
  pending_flash = flash;
}

export function TakeFlash(): Flash | null {
  const flash = pending_flash;
  pending_flash = null;
  return flash;
}

export function Go(route: string): void {
  if (location.hash === route) {
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = route;
  }
}

function RequestIdLine(requestId: string | null | undefined): HTMLElement | null {
  if (!requestId) return null;
  return h(
    'p',
    { class: 'request-id' },
    'If you contact us about this, quote request id ',
    h('code', { text: requestId }),
    '.',
  );
}

export function ShowSuccess(area: HTMLElement, text: string, ...extra: (Node | string)[]): void {
  area.replaceChildren(h('div', { class: 'notice success', role: 'status' }, h('p', {}, text, ...extra)));
}

export function ShowFlash(area: HTMLElement, flash: Flash): void {
  if (flash.kind === 'success') {
    ShowSuccess(area, flash.text);
    return;
  }
  area.replaceChildren(
    h('div', { class: 'notice error', role: 'alert' }, h('p', { text: flash.text }), RequestIdLine(flash.requestId)),
  );
}

// Shows a failed call's message in `area`. A problem that names a field marks that field of
// `fields`; an expired session signs the shopper out and sends them to sign in; an unavailable
// service offers `retry`.
export function ShowProblem(
  area: HTMLElement,
  error: unknown,
  action: Action,
  options: { fields?: Record<string, Field>; retry?: () => void } = {},
): void {
  if (!(error instanceof ApiProblem)) throw error;
  const message = Describe(error, action);
  if (message.sessionExpired) {
    ClearSession();
    SetFlash({ text: message.text, kind: 'error', requestId: error.requestId });
    const here = location.hash || '#/';
    Go(`#/signin?next=${encodeURIComponent(here)}`);
    return;
  }
  const retry =
    message.retry && options.retry
      ? h('button', { type: 'button', class: 'button secondary', onclick: options.retry, text: 'Try again' })
      : null;
  area.replaceChildren(
    h('div', { class: 'notice error', role: 'alert' }, h('p', { text: message.text }), RequestIdLine(error.requestId), retry),
  );
  const field = message.field ? options.fields?.[message.field] : undefined;
  if (field) {
    SetFieldError(field, message.text);
  } else if (retry) {
    retry.focus();
  }
}
