'use client';

import { isPosteriorError } from '@posterior/sdk';
import { usePathname, useRouter } from 'next/navigation';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { getClient, logIn, logOut, setSignedInHint, signUp } from '../lib/api/client';
import { toTeam } from '../lib/api/convert';
import { loadMyInvitations } from '../lib/api/queries';
import type { PendingInvitation, Team, User } from '../lib/types';

type Status = 'loading' | 'signed-in' | 'signed-out' | 'error';

interface SessionValue {
  status: Status;
  user: User | null;
  teams: Team[];
  /** Invitations to teams waiting for my answer. */
  invitations: PendingInvitation[];
  error: unknown;
  refresh: () => Promise<void>;
  logIn: (email: string, password: string) => Promise<void>;
  signUp: (email: string, password: string, name?: string) => Promise<void>;
  logOut: () => Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside <SessionProvider>');
  return v;
}

const LAST_TEAM = 'posterior.team';
export function rememberTeam(id: string): void {
  try {
    window.localStorage.setItem(LAST_TEAM, id);
  } catch {}
}
export function lastTeam(): string | null {
  try {
    return window.localStorage.getItem(LAST_TEAM);
  } catch {
    return null;
  }
}

/** The caller's teams with their role in each. */
async function loadTeams(): Promise<Team[]> {
  return (await getClient().teams()).map((t) => toTeam(t, t.role));
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Status>('loading');
  const [user, setUser] = useState<User | null>(null);
  const [teams, setTeams] = useState<Team[]>([]);
  const [invitations, setInvitations] = useState<PendingInvitation[]>([]);
  const [error, setError] = useState<unknown>(undefined);

  const refresh = useCallback(async () => {
    const client = getClient();
    try {
      const [me, teams, invitations] = await Promise.all([
        client.me(),
        loadTeams().catch(() => []),
        loadMyInvitations().catch(() => []),
      ]);
      if (!me) {
        setSignedInHint(false);
        setUser(null);
        setTeams([]);
        setStatus('signed-out');
        return;
      }
      setSignedInHint(true);
      setUser({ id: me.id, email: me.email, name: me.name });
      setTeams(teams);
      setInvitations(invitations);
      setStatus('signed-in');
      setError(undefined);
    } catch (e) {
      if (isPosteriorError(e, 'UNAUTHENTICATED')) {
        setSignedInHint(false);
        setUser(null);
        setStatus('signed-out');
        return;
      }
      setError(e);
      setStatus('error');
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const value = useMemo<SessionValue>(
    () => ({
      status,
      user,
      teams,
      invitations,
      error,
      refresh,
      async logIn(email, password) {
        await logIn(email, password);
        await refresh();
      },
      async signUp(email, password, name) {
        await signUp(email, password, name);
        await refresh();
      },
      async logOut() {
        try {
          await logOut();
        } catch {
          // the local session is dropped either way
        }
        setUser(null);
        setTeams([]);
        setInvitations([]);
        setStatus('signed-out');
      },
    }),
    [status, user, teams, invitations, error, refresh],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** Sends signed-out visitors to /login?next=<here>. */
export function useRequireSession(): SessionValue {
  const s = useSession();
  const router = useRouter();
  const path = usePathname();
  useEffect(() => {
    if (s.status === 'signed-out') router.replace(`/login?next=${encodeURIComponent(path)}`);
  }, [s.status, router, path]);
  return s;
}
