'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { describeError, getClient } from '../../lib/api/client';
import { formatDateTime } from '../../lib/format';
import { rememberTeam, useSession } from '../session';
import { EmptyState } from '../ui/states';

/** Invitations to teams, addressed to my login email: nobody joins a team until they accept here. */
export function MyInvitations() {
  const session = useSession();
  const router = useRouter();
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function answer(id: string, teamName: string, accept: boolean) {
    setBusy(id);
    setMessage(null);
    try {
      if (accept) {
        const membership = await getClient().acceptInvitation(id);
        await session.refresh();
        rememberTeam(membership.teamId);
        router.push(`/teams/${membership.teamId}/studies`);
        return;
      }
      await getClient().declineInvitation(id);
      setMessage({ ok: true, text: `You declined the invitation to ${teamName}.` });
      await session.refresh();
    } catch (err) {
      setMessage({ ok: false, text: describeError(err).detail });
      await session.refresh();
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Invitations</h1>
          <div className="sub">
            Teams that invited {session.user?.email ?? 'you'}. You join a team only when you accept.
          </div>
        </div>
      </div>
      {message ? (
        <div
          className={`alert ${message.ok ? 'alert-good' : 'alert-error'}`}
          role={message.ok ? 'status' : 'alert'}
        >
          {message.text}
        </div>
      ) : null}
      {session.invitations.length === 0 ? (
        <section className="card">
          <EmptyState title="No invitations" icon="✉">
            When a team admin invites your email, the invitation shows here.
          </EmptyState>
        </section>
      ) : (
        <section className="card" aria-labelledby="invitations-h">
          <div className="card-head">
            <h2 id="invitations-h">Pending invitations</h2>
          </div>
          <div className="table-wrap">
            <table className="data" aria-label="My invitations">
              <thead>
                <tr>
                  <th scope="col">Team</th>
                  <th scope="col">Role</th>
                  <th scope="col">Invited by</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="sr-only">Answer</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {session.invitations.map((inv) => (
                  <tr key={inv.id}>
                    <td>{inv.teamName}</td>
                    <td>
                      <span className="role">{inv.role}</span>
                    </td>
                    <td>{inv.invitedBy ?? '—'}</td>
                    <td className="muted">{formatDateTime(inv.expiresAt)}</td>
                    <td className="num">
                      <div className="row" style={{ gap: 6, justifyContent: 'flex-end' }}>
                        <button
                          type="button"
                          className="btn btn-sm btn-primary"
                          disabled={busy !== null}
                          aria-label={`Accept the invitation to ${inv.teamName}`}
                          onClick={() => answer(inv.id, inv.teamName, true)}
                        >
                          Accept
                        </button>
                        <button
                          type="button"
                          className="btn btn-sm btn-ghost"
                          disabled={busy !== null}
                          aria-label={`Decline the invitation to ${inv.teamName}`}
                          onClick={() => answer(inv.id, inv.teamName, false)}
                        >
                          Decline
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  );
}
