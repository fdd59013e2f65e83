// The signed-in shopper. The token lives in sessionStorage only (never a cookie or
// localStorage): it ends with the tab, and a new tab signs in again.
import type { LoginAnswer, User } from './api';

const kKey = 'merch.session';

export interface Session {
  token: string;
  user: User;
  expiresAt: number; // ms since the epoch, from the login answer's expires_in
}

export function LoadSession(): Session | null {
  try {
    const text = sessionStorage.getItem(kKey);
    if (!text) return null;
    const session = JSON.parse(text) as Session;
    if (typeof session.token !== 'string' || typeof session.expiresAt !== 'number') return null;
    if (session.expiresAt <= Date.now()) {
      sessionStorage.removeItem(kKey);
      return null;
    }
    return session;
  } catch {
    return null;
  }
}

export function SaveSession(answer: LoginAnswer): Session {
  const session: Session = {
    token: answer.token,
    user: answer.user,
    expiresAt: Date.now() + answer.expires_in * 1000,
  };
  sessionStorage.setItem(kKey, JSON.stringify(session));
  return session;
}

export function UpdateSessionUser(user: User): void {
  const session = LoadSession();
  if (!session) return;
  sessionStorage.setItem(kKey, JSON.stringify({ ...session, user }));
}

export function ClearSession(): void {
  sessionStorage.removeItem(kKey);
}
