// Teams, access and the studies list in the dashboard, in Debian chromium against a real API: API
// tokens shown once and revoked, the studies list with progress and history and its URL filters, a
// stale bookmarked cursor, archiving, a user outside the team seeing nothing, invitations and roles,
// switching teams, logging out and back in. Each test makes its own users, team and studies
// (tests/e2e/dashboard-fixture.mjs).
// Run: npm run build && node --test tests/e2e/dashboard-team.test.mjs
import assert from 'node:assert/strict';
import {
  completeTrials,
  createBranin,
  dashboardSuite,
  newOwner,
  PASSWORD,
  shot,
  signedInContext,
  uniqueEmail,
  waitFor,
  withOwnerPage,
} from './dashboard-fixture.mjs';

const { describe, it, env, why } = dashboardSuite();

describe('dashboard: teams, access and the studies list', { timeout: 300_000 }, () => {
  it('creates an API token that is shown once', () =>
    withOwnerPage(env, { prefix: 'tokens' }, async ({ owner, page }) => {
      await page.goto(owner.teamUrl.replace(/studies$/, 'settings'));
      await page.getByRole('heading', { name: 'API tokens', exact: true }).waitFor();
      await page.getByLabel('Token name').fill('e2e-worker');
      await page.getByRole('button', { name: 'Create token' }).click();
      const token = (await page.getByTestId('new-token').textContent())?.trim();
      assert.ok(token && token.length > 10, 'the secret is shown');
      await shot(page, 'team-settings');
      await page.reload();
      const tokens = page.getByRole('table', { name: 'API tokens' });
      await tokens.getByText('e2e-worker').waitFor();
      assert.equal(await page.getByTestId('new-token').count(), 0, 'the secret is not shown again');
      // a second token, revoked: it stays listed as revoked, the first token is untouched
      await page.getByLabel('Token name').fill('spare');
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.getByTestId('new-token').waitFor();
      page.once('dialog', (d) => d.accept());
      await page.getByRole('button', { name: 'Revoke spare' }).click();
      await tokens.getByRole('row').filter({ hasText: 'spare' }).getByText('revoked').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Revoke e2e-worker' }).count(), 1);
    }));

  it('lists the study with its progress and history', () =>
    withOwnerPage(env, { prefix: 'list' }, async ({ owner, page }) => {
      const study = await createBranin(owner.client, owner.teamId);
      await completeTrials(owner.client, study.id, [30, 12, 20]);
      await page.goto(owner.teamUrl);
      const table = page.getByRole('table', { name: 'Studies' });
      await table.getByRole('link', { name: 'branin e2e' }).waitFor();
      await table.getByRole('progressbar', { name: 'branin e2e progress' }).waitFor();
      await table.getByRole('img', { name: /Best value history/ }).waitFor();
      // filters live in the URL
      await page.getByLabel('State').selectOption('ARCHIVED');
      await page.getByRole('heading', { name: 'No study matches these filters' }).waitFor();
      assert.equal(new URL(page.url()).searchParams.get('state'), 'ARCHIVED');
      await page.getByLabel('State').selectOption('');
      await table.getByRole('link', { name: 'branin e2e' }).waitFor();
      await shot(page, 'studies');
    }));

  it('opens a bookmarked studies link whose cursor the API no longer accepts at the first page', () =>
    withOwnerPage(env, { prefix: 'cursor' }, async ({ owner, page }) => {
      await createBranin(owner.client, owner.teamId);
      // an offset cursor of an older format ("offset:25", base64): the API answers BAD_USER_INPUT on `after`
      await page.goto(`${owner.teamUrl}?after=b2Zmc2V0OjI1&prev=_`);
      const table = page.getByRole('table', { name: 'Studies' });
      await table.getByRole('link', { name: 'branin e2e' }).waitFor();
      await waitFor(async () => !new URL(page.url()).searchParams.has('after'), { what: 'after dropped' });
      assert.equal(new URL(page.url()).searchParams.has('prev'), false);
      assert.equal(await page.getByRole('heading', { name: 'Check the input' }).count(), 0, 'no error shown');
    }));

  it('archives a study: it leaves the default list and shows under archived', () =>
    withOwnerPage(env, { prefix: 'archive' }, async ({ owner, page, ctx, stack }) => {
      const study = await createBranin(owner.client, owner.teamId);
      await createBranin(owner.client, owner.teamId, { name: 'other study' });
      await page.goto(`${stack.web.url}/studies/${study.id}`);
      await page.getByRole('heading', { name: 'branin e2e', exact: true }).waitFor();
      page.once('dialog', (d) => d.accept());
      await page.getByRole('button', { name: 'Archive' }).click();
      await page.locator('.page-head').getByText('archived', { exact: true }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Archive' }).count(), 0);
      const list = await ctx.newPage();
      await list.goto(owner.teamUrl);
      const table = list.getByRole('table', { name: 'Studies' });
      await table.getByRole('link', { name: 'other study' }).waitFor();
      assert.equal(
        await table.getByRole('link', { name: 'branin e2e' }).count(),
        0,
        'not in the default list',
      );
      await list.getByLabel('State').selectOption('ARCHIVED');
      await waitFor(async () => new URL(list.url()).searchParams.get('state') === 'ARCHIVED', {
        what: 'state in the URL',
      });
      const row = table.getByRole('row').filter({ has: list.getByRole('link', { name: 'branin e2e' }) });
      await row.getByText('archived', { exact: true }).waitFor();
      assert.equal(await table.getByRole('link', { name: 'other study' }).count(), 0);
      await shot(list, 'studies-archived');
    }));

  it('shows nothing of the study to a user outside the team', async () => {
    const { stack, browser } = env;
    const owner = await newOwner(stack, { prefix: 'private' });
    const study = await createBranin(owner.client, owner.teamId);
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      const page = await ctx.newPage();
      await page.goto(`${stack.web.url}/signup`);
      await page.getByLabel('Email').fill(uniqueEmail('outsider'));
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.getByRole('heading', { name: 'Create a team', exact: true }).waitFor();
      await page.goto(`${stack.web.url}/studies/${study.id}`);
      await page.getByRole('heading', { name: 'Not found', exact: true }).waitFor();
      assert.equal(await page.getByText('branin e2e').count(), 0);
      await shot(page, 'outsider-study');
      await page.goto(owner.teamUrl);
      await page.getByRole('heading', { name: /Not found|Not allowed/ }).waitFor();
      assert.equal(await page.getByText('branin e2e').count(), 0);
    } finally {
      await ctx.close();
      await owner.close();
    }
  });

  it('invites a member, who joins only on accepting; an admin changes their role', async () => {
    const { stack, browser } = env;
    const owner = await newOwner(stack, { prefix: 'inviter' });
    await createBranin(owner.client, owner.teamId, { name: 'team study' });
    const outsider = uniqueEmail('invitee');
    const anon = (await import('@posterior/sdk/node')).createNodeClient({ url: stack.api.url });
    await anon.signUp(outsider, PASSWORD, 'Invitee');
    await anon.close();
    const ctx = await signedInContext(browser, stack, owner.email);
    const inviteeCtx = await signedInContext(browser, stack, outsider);
    try {
      const page = await ctx.newPage();
      await page.goto(owner.teamUrl.replace(/studies$/, 'settings'));
      await page.getByRole('heading', { name: 'Members', exact: true }).waitFor();
      const form = page.getByRole('form', { name: 'Invite a member' });
      await form.getByLabel('Email').fill(outsider);
      await form.getByLabel('Role').selectOption('VIEWER');
      await form.getByRole('button', { name: 'Send invitation' }).click();
      await page.getByText(`Invitation sent to ${outsider} as viewer.`).waitFor();
      const pending = page.getByRole('table', { name: 'Pending invitations' });
      await pending.getByRole('row').filter({ hasText: outsider }).getByText('VIEWER').waitFor();
      const members = page.getByRole('table', { name: 'Members' });
      assert.equal(await members.getByText(outsider).count(), 0, 'not a member before accepting');
      await shot(page, 'team-settings-invited');

      // The invitee: the header shows the invitation; the page lists it; accepting opens the team.
      const invitee = await inviteeCtx.newPage();
      await invitee.goto(`${stack.web.url}/`);
      await invitee.waitForURL(/\/invitations$/);
      await invitee.getByRole('link', { name: /Invitations/ }).waitFor();
      const row = invitee
        .getByRole('table', { name: 'My invitations' })
        .getByRole('row')
        .filter({ hasText: 'Vision Lab' });
      await row.getByText('VIEWER').waitFor();
      await row.getByText('Ada Owner').waitFor();
      await shot(invitee, 'invitations');
      await row.getByRole('button', { name: 'Accept the invitation to Vision Lab' }).click();
      await invitee.waitForURL(owner.teamUrl);
      await invitee
        .getByRole('table', { name: 'Studies' })
        .getByRole('link', { name: 'team study' })
        .waitFor();
      assert.equal(await invitee.getByRole('link', { name: /Invitations/ }).count(), 0, 'no invitation left');

      await page.reload();
      const row2 = members.getByRole('row').filter({ hasText: outsider });
      await row2.getByLabel(`Role of ${outsider}`).waitFor();
      assert.equal(await row2.getByLabel(`Role of ${outsider}`).inputValue(), 'VIEWER');
      assert.equal(await page.getByRole('table', { name: 'Pending invitations' }).count(), 0);
      await row2.getByLabel(`Role of ${outsider}`).selectOption('MEMBER');
      await page.getByText(`${outsider} is now member.`).waitFor();
      // A second invitation, withdrawn: it leaves the list.
      await form.getByLabel('Email').fill('someone-else@example.com');
      await form.getByRole('button', { name: 'Send invitation' }).click();
      const other = page.getByRole('table', { name: 'Pending invitations' }).getByRole('row').filter({
        hasText: 'someone-else@example.com',
      });
      await other.waitFor();
      await shot(page, 'team-settings');
      page.once('dialog', (d) => d.accept());
      await other
        .getByRole('button', { name: 'Withdraw the invitation to someone-else@example.com' })
        .click();
      await page.getByText('The invitation to someone-else@example.com was withdrawn.').waitFor();
      await page.getByRole('table', { name: 'Pending invitations' }).waitFor({ state: 'detached' });
    } finally {
      await inviteeCtx.close();
      await ctx.close();
      await owner.close();
    }
  });

  it('switches teams, logs out, and logs back in where it left off', () =>
    withOwnerPage(env, { prefix: 'switch' }, async ({ owner, page }) => {
      await createBranin(owner.client, owner.teamId, { name: 'team study' });
      await page.goto(owner.teamUrl);
      await page.getByLabel('Team', { exact: true }).selectOption('__new');
      await page.getByRole('heading', { name: 'Create a team', exact: true }).waitFor();
      await page.getByLabel('Team name').fill('Second Lab');
      await page.getByRole('button', { name: 'Create team' }).click();
      await page.getByRole('heading', { name: 'No studies yet', exact: true }).waitFor();
      assert.notEqual(page.url(), owner.teamUrl);
      await page.getByLabel('Team', { exact: true }).selectOption({ label: 'Vision Lab' });
      await page.waitForURL(owner.teamUrl);
      await page.getByRole('table', { name: 'Studies' }).getByRole('link', { name: 'team study' }).waitFor();

      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL(/\/login/);
      await page.goto(owner.teamUrl);
      await page.waitForURL(/\/login\?next=/);
      await shot(page, 'login');
      assert.equal(await page.getByText('team study').count(), 0, 'nothing shown signed out');
      await page.getByLabel('Email').fill(owner.email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(owner.teamUrl);
      await page.getByRole('table', { name: 'Studies' }).getByRole('link', { name: 'team study' }).waitFor();
    }));
});

if (why) console.log(`# skipped: ${why}`);
