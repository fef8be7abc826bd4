'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { describeError, getClient } from '../../lib/api/client';
import { useAsync } from '../../lib/api/hooks';
import { loadTeam } from '../../lib/api/queries';
import { formatDateTime } from '../../lib/format';
import { ROLES, type Role } from '../../lib/types';
import { useSession } from '../session';
import { EmptyState, ErrorState, PageSkeleton } from '../ui/states';
import { RelativeTime } from '../ui/time';

const ROLE_HELP: Record<Role, string> = {
  OWNER: 'everything, including owners',
  ADMIN: 'manage members and API tokens',
  MEMBER: 'run studies and workers',
  VIEWER: 'read only',
};

export function TeamSettings({ teamId }: { teamId: string }) {
  const session = useSession();
  const router = useRouter();
  const res = useAsync((signal) => loadTeam(teamId, signal), teamId);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('MEMBER');
  const [memberMsg, setMemberMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [tokenName, setTokenName] = useState('');
  const [tokenRole, setTokenRole] = useState<Role>('MEMBER');
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  const [tokenErr, setTokenErr] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  if (res.error) return <ErrorState error={res.error} onRetry={res.reload} />;
  if (res.loading && !res.data) return <PageSkeleton label="Loading team settings" />;
  const team = res.data;
  if (!team) return <ErrorState error={res.error ?? new Error('Team not found')} />;
  const admin = team.role === 'OWNER' || team.role === 'ADMIN';

  /** Runs a change to the members, then says `done` and reloads; or says why it failed. */
  async function memberChange(change: () => Promise<unknown>, done: string) {
    setMemberMsg(null);
    try {
      await change();
      setMemberMsg({ ok: true, text: done });
      res.reload();
    } catch (err) {
      setMemberMsg({ ok: false, text: describeError(err).detail });
    }
  }

  async function invite(e: FormEvent) {
    e.preventDefault();
    const to = email.trim();
    // The same words whether or not the address has an account: the dashboard does not tell.
    await memberChange(async () => {
      await getClient().inviteMember(teamId, to, role);
      setEmail('');
    }, `Invitation sent to ${to} as ${role.toLowerCase()}. They join when they accept it.`);
  }

  async function revokeInvitation(id: string, to: string) {
    if (!window.confirm(`Withdraw the invitation to ${to}?`)) return;
    await memberChange(() => getClient().revokeInvitation(id), `The invitation to ${to} was withdrawn.`);
  }

  async function changeRole(userId: string, label: string, next: Role) {
    await memberChange(
      () => getClient().setMemberRole(teamId, userId, next),
      `${label} is now ${next.toLowerCase()}.`,
    );
  }

  const teamName = team.name;
  async function removeMember(userId: string, label: string) {
    const self = userId === session.user?.id;
    const question = self
      ? `Leave ${teamName}? You lose access to its studies until someone invites you again.`
      : `Remove ${label} from ${teamName}? Their open dashboards stop streaming at once.`;
    if (!window.confirm(question)) return;
    setMemberMsg(null);
    try {
      await getClient().removeMember(teamId, userId);
      if (self) {
        await session.refresh();
        router.push('/');
        return;
      }
      setMemberMsg({ ok: true, text: `${label} was removed.` });
      res.reload();
    } catch (err) {
      setMemberMsg({ ok: false, text: describeError(err).detail });
    }
  }

  async function createToken(e: FormEvent) {
    e.preventDefault();
    setTokenErr(null);
    setCopied(false);
    if (!tokenName.trim()) {
      setTokenErr('Name the token, e.g. "gpu-box-1".');
      return;
    }
    try {
      const t = await getClient().createApiToken(teamId, tokenName.trim(), tokenRole);
      setSecret({ name: tokenName.trim(), token: t.token });
      setTokenName('');
      res.reload();
    } catch (err) {
      setTokenErr(describeError(err).detail);
    }
  }

  async function revoke(id: string, name: string) {
    if (!window.confirm(`Revoke "${name}"? Workers using it stop at their next request.`)) return;
    try {
      await getClient().revokeApiToken(id);
      res.reload();
    } catch (err) {
      setTokenErr(describeError(err).detail);
    }
  }

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>{team.name}</h1>
          <div className="sub">
            Team settings · your role: <span className="role">{team.role}</span>
          </div>
        </div>
      </div>
      <section className="card" aria-labelledby="members-h">
        <div className="card-head">
          <div>
            <h2 id="members-h">Members</h2>
            <div className="desc">Owner &gt; admin &gt; member &gt; viewer</div>
          </div>
        </div>
        <div className="table-wrap">
          <table className="data" aria-label="Members">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {team.members.map((m) => (
                <tr key={m.userId}>
                  <td>
                    {m.name ?? '—'}
                    {m.userId === session.user?.id ? <span className="faint"> (you)</span> : null}
                  </td>
                  <td>{m.email}</td>
                  <td>
                    {admin &&
                    m.userId !== session.user?.id &&
                    (m.role !== 'OWNER' || team.role === 'OWNER') ? (
                      <select
                        aria-label={`Role of ${m.email}`}
                        value={m.role}
                        onChange={(e) => changeRole(m.userId, m.email, e.target.value as Role)}
                      >
                        {ROLES.filter((r) => r !== 'OWNER' || team.role === 'OWNER').map((r) => (
                          <option key={r} value={r}>
                            {r.toLowerCase()}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <span className="role">{m.role}</span>
                    )}{' '}
                    <span className="faint">{ROLE_HELP[m.role]}</span>
                  </td>
                  <td className="num">
                    {m.userId === session.user?.id ? (
                      <button
                        type="button"
                        className="btn btn-sm btn-ghost"
                        onClick={() => removeMember(m.userId, m.email)}
                      >
                        Leave team
                      </button>
                    ) : admin && (m.role !== 'OWNER' || team.role === 'OWNER') ? (
                      <button
                        type="button"
                        className="btn btn-sm btn-danger"
                        aria-label={`Remove ${m.email}`}
                        onClick={() => removeMember(m.userId, m.email)}
                      >
                        Remove
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {admin && team.invitations && team.invitations.length > 0 ? (
          <div className="table-wrap" style={{ borderTop: '1px solid var(--border)' }}>
            <table className="data" aria-label="Pending invitations">
              <caption className="table-caption">Pending invitations</caption>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Invited by</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {team.invitations.map((inv) => (
                  <tr key={inv.id}>
                    <td>{inv.email}</td>
                    <td>
                      <span className="role">{inv.role}</span>
                    </td>
                    <td>{inv.invitedBy ?? '—'}</td>
                    <td className="muted">
                      {inv.state === 'EXPIRED' ? (
                        <span className="badge badge-FAILED">expired</span>
                      ) : (
                        formatDateTime(inv.expiresAt)
                      )}
                    </td>
                    <td className="num">
                      {inv.role !== 'OWNER' || team.role === 'OWNER' ? (
                        <button
                          type="button"
                          className="btn btn-sm btn-danger"
                          aria-label={`Withdraw the invitation to ${inv.email}`}
                          onClick={() => revokeInvitation(inv.id, inv.email)}
                        >
                          Withdraw
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {admin ? (
          <form
            className="toolbar"
            onSubmit={invite}
            aria-label="Invite a member"
            style={{ borderBottom: 0, borderTop: '1px solid var(--border)' }}
          >
            <div className="field">
              <label htmlFor="member-email">Email</label>
              <input
                id="member-email"
                type="email"
                required
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                placeholder="colleague@example.com"
              />
            </div>
            <div className="field">
              <label htmlFor="member-role">Role</label>
              <select id="member-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
                {ROLES.filter((r) => r !== 'OWNER' || team.role === 'OWNER').map((r) => (
                  <option key={r} value={r}>
                    {r.toLowerCase()}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="btn btn-primary" disabled={!email.trim()}>
              Send invitation
            </button>
            {memberMsg ? (
              <div
                className={`alert ${memberMsg.ok ? 'alert-good' : 'alert-error'}`}
                role={memberMsg.ok ? 'status' : 'alert'}
              >
                {memberMsg.text}
              </div>
            ) : null}
          </form>
        ) : (
          <div className="card-body muted">Only admins and owners can invite members.</div>
        )}
      </section>
      <section className="card" aria-labelledby="tokens-h">
        <div className="card-head">
          <div>
            <h2 id="tokens-h">API tokens</h2>
            <div className="desc">
              For workers and scripts: <code>npx posterior worker --token …</code>. A token is shown once,
              when created.
            </div>
          </div>
        </div>
        {!admin ? (
          <div className="card-body muted">Only admins and owners can see and create API tokens.</div>
        ) : (
          <>
            {secret ? (
              <div className="card-body">
                <div className="alert alert-good" role="status">
                  <div style={{ marginBottom: 6 }}>
                    Token <b>{secret.name}</b> created. Copy it now: it will not be shown again.
                  </div>
                  <div className="secret">
                    <code data-testid="new-token" style={{ flex: 1 }}>
                      {secret.token}
                    </code>
                    <button
                      type="button"
                      className="btn btn-sm"
                      onClick={async () => {
                        try {
                          await navigator.clipboard.writeText(secret.token);
                          setCopied(true);
                        } catch {
                          setCopied(false);
                        }
                      }}
                    >
                      {copied ? 'Copied' : 'Copy'}
                    </button>
                    <button type="button" className="btn btn-sm btn-ghost" onClick={() => setSecret(null)}>
                      Done
                    </button>
                  </div>
                </div>
              </div>
            ) : null}
            {team.apiTokens && team.apiTokens.length > 0 ? (
              <div className="table-wrap">
                <table className="data" aria-label="API tokens">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Role</th>
                      <th scope="col">Created</th>
                      <th scope="col">Last used</th>
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {team.apiTokens.map((t) => (
                      <tr key={t.id} style={t.revoked ? { opacity: 0.55 } : undefined}>
                        <td>{t.name}</td>
                        <td>
                          <span className="role">{t.role}</span>
                        </td>
                        <td className="muted">
                          <RelativeTime iso={t.createdAt} />
                        </td>
                        <td className="muted">
                          {t.lastUsedAt ? <RelativeTime iso={t.lastUsedAt} /> : 'never'}
                        </td>
                        <td className="num">
                          {t.revoked ? (
                            <span className="badge badge-FAILED">revoked</span>
                          ) : (
                            <button
                              type="button"
                              className="btn btn-sm btn-danger"
                              onClick={() => revoke(t.id, t.name)}
                              aria-label={`Revoke ${t.name}`}
                            >
                              Revoke
                            </button>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <EmptyState title="No API tokens" icon="◈">
                Create one for each machine that runs workers.
              </EmptyState>
            )}
            <form
              className="toolbar"
              onSubmit={createToken}
              aria-label="Create an API token"
              style={{ borderBottom: 0, borderTop: '1px solid var(--border)' }}
            >
              <div className="field">
                <label htmlFor="token-name">Token name</label>
                <input
                  id="token-name"
                  type="text"
                  value={tokenName}
                  onChange={(e) => setTokenName(e.target.value)}
                  placeholder="gpu-box-1"
                />
              </div>
              <div className="field">
                <label htmlFor="token-role">Role</label>
                <select
                  id="token-role"
                  value={tokenRole}
                  onChange={(e) => setTokenRole(e.target.value as Role)}
                >
                  {ROLES.filter((r) => r !== 'OWNER').map((r) => (
                    <option key={r} value={r}>
                      {r.toLowerCase()}
                    </option>
                  ))}
                </select>
              </div>
              <button type="submit" className="btn btn-primary">
                Create token
              </button>
              {tokenErr ? (
                <div className="alert alert-error" role="alert">
                  {tokenErr}
                </div>
              ) : null}
            </form>
          </>
        )}
      </section>
    </div>
  );
}
