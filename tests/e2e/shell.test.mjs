// The dashboard's shell and study lifecycle (issue 15, items 9 and 11) in Debian chromium against a
// real API: axe-core finds no serious or critical violation on any page in either theme, each page
// has its own title, the header folds into a menu at 390 px, a viewer is offered no action it cannot
// perform, and a study's lifecycle (raise the budget of a finished study, pause, archive, unarchive,
// clone with edits, delete) works from the study page. Screenshots of every page at 1440x900 and
// 390x844 in both themes go to tests/e2e/screenshots/shell/.
// Run: npm run build && node --test tests/e2e/shell.test.mjs
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNodeClient } from '@posterior/sdk/node';
import { axeFindings } from './axe.mjs';
import { launch } from './browser.mjs';
import { PASSWORD } from './dashboard-fixture.mjs';
import { stackUnavailable, startStack, waitFor } from './stack.mjs';

const why = stackUnavailable();
if (why && process.env.CI) throw new Error(`dashboard end to end cannot run in CI: ${why}`);
const shots = join(new URL('.', import.meta.url).pathname, 'screenshots', 'shell');
mkdirSync(shots, { recursive: true });

const SPACE = [
  { name: 'x', type: 'float', low: -5, high: 10 },
  { name: 'y', type: 'float', low: 0, high: 15 },
];
const SIZES = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];

describe('dashboard shell and study lifecycle', { skip: why ?? false, timeout: 600_000 }, () => {
  let stack;
  let browser;
  let owner;
  let ownerToken;
  let teamId;
  const ownerEmail = `shell-owner-${Date.now()}@example.com`;
  const viewerEmail = `shell-viewer-${Date.now()}@example.com`;
  const ids = {};

  before(async () => {
    stack = await startStack();
    browser = await launch();
    const anon = createNodeClient({ url: stack.api.url });
    ownerToken = (await anon.signUp(ownerEmail, PASSWORD, 'Shell Owner')).token;
    const viewerToken = (await anon.signUp(viewerEmail, PASSWORD, 'Shell Viewer')).token;
    await anon.close();
    owner = createNodeClient({ url: stack.api.url, token: ownerToken });
    teamId = (await owner.createTeam('Shell Lab')).id;
    const viewer = createNodeClient({ url: stack.api.url, token: viewerToken });
    const invitation = await owner.inviteMember(teamId, viewerEmail, 'VIEWER');
    await viewer.acceptInvitation(invitation.id);
    await viewer.close();
    // a GP study with finished trials and curves, a running random one, a finished one
    ids.gp = await study('gp with curves', 'gp', 8);
    const trials = await owner.askTrials(ids.gp, 4, 'e2e');
    for (const [i, t] of trials.entries()) {
      for (let step = 0; step < 5; step++)
        await owner.reportMetrics(t.id, [{ name: 'loss', step, value: (i + 1) / (step + 1) }]);
      if (i < 3) await owner.tellTrial(t.id, { state: 'COMPLETE', value: (i + 1) / 5 });
    }
    ids.trial = trials[0].id;
    ids.running = await study('random running', 'random', 5);
    ids.done = await study('finished', 'random', 1);
    const [d] = await owner.askTrials(ids.done, 1, 'e2e');
    await owner.tellTrial(d.id, { state: 'COMPLETE', value: 1 });
  });
  after(async () => {
    await owner?.close();
    await browser?.close();
    await stack?.stop();
  });

  async function study(name, sampler, maxTrials) {
    const s = await owner.createStudy({
      teamId,
      name,
      direction: 'MINIMIZE',
      objective: 'loss',
      searchSpace: SPACE,
      sampler: { type: sampler, seed: 1 },
      maxTrials,
      parallelism: Math.min(4, maxTrials),
    });
    return s.id;
  }

  async function context(email, { theme = 'light', size = SIZES[0] } = {}) {
    const ctx = await browser.newContext({
      viewport: { width: size.width, height: size.height },
      colorScheme: theme,
      // axe is injected by page.evaluate, which the page's nonce CSP does not govern; nothing else changes
    });
    await ctx.addInitScript((t) => localStorage.setItem('posterior.theme', t), theme);
    if (email) {
      const res = await ctx.request.post(`${stack.web.url}/graphql`, {
        data: {
          query:
            'mutation($e: String!, $p: String!) { logIn(email: $e, password: $p, cookie: true) { expiresAt } }',
          variables: { e: email, p: PASSWORD },
        },
      });
      assert.equal(res.status(), 200, await res.text());
    }
    return ctx;
  }

  /** Every page, with what shows it is ready. */
  const pages = () => [
    {
      name: 'login',
      path: '/login',
      ready: (p) => p.getByRole('button', { name: 'Log in' }),
      signedOut: true,
    },
    {
      name: 'signup',
      path: '/signup',
      ready: (p) => p.getByRole('button', { name: 'Sign up' }),
      signedOut: true,
    },
    {
      name: 'studies',
      path: `/teams/${teamId}/studies`,
      ready: (p) => p.getByRole('table', { name: 'Studies' }),
    },
    {
      name: 'new-study',
      path: `/teams/${teamId}/studies/new`,
      ready: (p) => p.getByRole('heading', { name: 'New study', exact: true }),
    },
    {
      name: 'settings',
      path: `/teams/${teamId}/settings`,
      ready: (p) => p.getByRole('heading', { name: 'Members', exact: true }),
    },
    {
      name: 'new-team',
      path: '/teams/new',
      ready: (p) => p.getByRole('heading', { name: 'Create a team', exact: true }),
    },
    { name: 'invitations', path: '/invitations', ready: (p) => p.locator('main h1') },
    { name: 'study-gp', path: `/studies/${ids.gp}`, ready: (p) => p.getByRole('table', { name: 'Trials' }) },
    {
      name: 'study-random',
      path: `/studies/${ids.running}`,
      ready: (p) => p.getByRole('heading', { name: 'random running' }),
    },
    {
      name: 'trial',
      path: `/trials/${ids.trial}`,
      ready: (p) => p.getByRole('heading', { name: 'Parameters', exact: true }),
    },
  ];

  async function passOver(page) {
    // charts below the fold mount when scrolled into view
    await page.evaluate(async () => {
      for (let y = 0; y < document.body.scrollHeight; y += 400) {
        window.scrollTo(0, y);
        await new Promise((r) => setTimeout(r, 80));
      }
      window.scrollTo(0, 0);
    });
    await page.waitForTimeout(500);
  }

  for (const theme of ['light', 'dark']) {
    it(`axe finds no serious or critical violation on any page (${theme} theme); screenshots at both sizes`, async () => {
      const failures = [];
      for (const size of SIZES) {
        const signedIn = await context(ownerEmail, { theme, size });
        const signedOut = await context(null, { theme, size });
        for (const p of pages()) {
          const page = await (p.signedOut ? signedOut : signedIn).newPage();
          await page.goto(`${stack.web.url}${p.path}`);
          await p.ready(page).first().waitFor({ timeout: 60_000 });
          await passOver(page);
          await page.screenshot({ path: join(shots, `${p.name}-${size.name}-${theme}.png`), fullPage: true });
          if (size.name === 'desktop' || p.name.startsWith('study')) {
            for (const v of await axeFindings(page))
              failures.push(`${p.name} ${size.name} ${theme}: ${JSON.stringify(v)}`);
          }
          await page.close();
        }
        await signedIn.close();
        await signedOut.close();
      }
      assert.deepEqual(failures, []);
    });
  }

  it('each page has its own title; a favicon; scroll padding under the sticky header', async () => {
    const ctx = await context(ownerEmail);
    const page = await ctx.newPage();
    const titles = new Map();
    for (const p of pages().filter((x) => !x.signedOut)) {
      await page.goto(`${stack.web.url}${p.path}`);
      await p.ready(page).first().waitFor({ timeout: 60_000 });
      await waitFor(async () => (await page.title()) !== 'Posterior', {
        timeoutMs: 5000,
        what: `${p.name} title`,
      });
      titles.set(p.name, await page.title());
    }
    assert.equal(new Set(titles.values()).size, titles.size, JSON.stringify([...titles]));
    assert.match(titles.get('study-gp'), /^gp with curves · Posterior$/);
    assert.match(titles.get('trial'), /^Trial #\d+ · gp with curves · Posterior$/);
    const icon = await page.locator('head link[rel="icon"]').first().getAttribute('href');
    assert.ok(icon);
    const res = await ctx.request.get(new URL(icon, stack.web.url).href);
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-type'], /image\/svg\+xml/);
    assert.equal(
      await page.evaluate(() => getComputedStyle(document.documentElement).scrollPaddingTop),
      '72px',
    );
    // times carry their zone
    await page.goto(`${stack.web.url}/trials/${ids.trial}`);
    await page.getByRole('heading', { name: 'Parameters', exact: true }).waitFor();
    const started = await page
      .locator('dt', { hasText: 'Started' })
      .locator('xpath=following-sibling::dd[1]')
      .textContent();
    assert.match(started, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    await ctx.close();
  });

  it('the header folds into a menu at 390 px and nothing overflows', async () => {
    const ctx = await context(ownerEmail, { size: SIZES[1] });
    const page = await ctx.newPage();
    await page.goto(`${stack.web.url}/studies/${ids.gp}`);
    await page.getByRole('table', { name: 'Trials' }).waitFor({ timeout: 60_000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow} px wider than the screen`);
    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.equal(await nav.isVisible(), false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await nav.getByRole('link', { name: 'Team settings' }).click();
    await page.getByRole('heading', { name: 'Members', exact: true }).waitFor();
    assert.equal(await nav.isVisible(), false, 'the menu closes after navigating');
    await ctx.close();
  });

  it('a viewer is offered no action a viewer cannot perform', async () => {
    const ctx = await context(viewerEmail);
    const page = await ctx.newPage();
    await page.goto(`${stack.web.url}/teams/${teamId}/studies`);
    await page.getByRole('table', { name: 'Studies' }).waitFor({ timeout: 60_000 });
    assert.equal(await page.getByRole('link', { name: 'New study' }).count(), 0);
    await page.goto(`${stack.web.url}/studies/${ids.running}`);
    await page.getByRole('heading', { name: 'random running' }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Download report' }).waitFor();
    for (const name of ['Pause', 'Resume', 'Enqueue trial', 'Archive', 'Delete', 'Change budget']) {
      assert.equal(await page.getByRole('button', { name }).count(), 0, `${name} offered to a viewer`);
    }
    assert.equal(await page.getByRole('link', { name: 'Clone with edits' }).count(), 0);
    await ctx.close();
    // the owner, on the same page, has them
    const ownerCtx = await context(ownerEmail);
    const ownerPage = await ownerCtx.newPage();
    await ownerPage.goto(`${stack.web.url}/studies/${ids.running}`);
    for (const name of ['Pause', 'Enqueue trial', 'Archive'])
      await ownerPage.getByRole('button', { name }).waitFor({ timeout: 60_000 });
    await ownerCtx.close();
  });

  it('GP-only views are relabelled or hidden on a study that does not use the GP', async () => {
    const ctx = await context(ownerEmail);
    const page = await ctx.newPage();
    await page.goto(`${stack.web.url}/studies/${ids.running}`);
    await page.getByRole('heading', { name: 'random running' }).waitFor({ timeout: 60_000 });
    await passOver(page);
    await page.getByRole('heading', { name: 'Fitted model (not used by this study)' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Predicted vs actual' }).count(), 0);
    await page.goto(`${stack.web.url}/studies/${ids.gp}`);
    await page.getByRole('table', { name: 'Trials' }).waitFor({ timeout: 60_000 });
    await passOver(page);
    await page.getByRole('heading', { name: 'GP surrogate', exact: true }).waitFor();
    await page.getByText(/log expected improvement: how much better than the best trial/).waitFor();
    await page.getByRole('heading', { name: 'Predicted vs actual' }).waitFor();
    await ctx.close();
  });

  it('lifecycle: raise the budget of a finished study, pause, archive, unarchive (Restore), clone with edits, delete', async () => {
    const ctx = await context(ownerEmail);
    const page = await ctx.newPage();
    await page.goto(`${stack.web.url}/studies/${ids.done}`);
    await page.locator('.page-head .badge', { hasText: /^done$/ }).waitFor({ timeout: 60_000 });
    assert.equal(await page.getByRole('button', { name: 'Resume' }).count(), 0, 'Resume on a spent study');
    assert.equal(await page.getByRole('button', { name: 'Enqueue trial' }).count(), 0);

    await page.getByRole('button', { name: 'Raise budget' }).click();
    const dialog = page.getByRole('dialog', { name: 'Raise the budget' });
    await dialog.getByLabel('Budget (trials)').fill('3');
    await dialog.getByRole('button', { name: 'Raise and resume' }).click();
    await page.locator('.page-head .badge', { hasText: /^running$/ }).waitFor();
    const s1 = await owner.study(ids.done);
    assert.deepEqual({ state: s1.state, maxTrials: s1.maxTrials }, { state: 'RUNNING', maxTrials: 3 });

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText(/posterior worker.*exit/).waitFor();
    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: 'Archive' }).click();
    await page.getByRole('button', { name: 'Restore', exact: true }).waitFor();
    assert.equal(
      await page.getByRole('button', { name: 'Archive' }).count(),
      0,
      'Archive offered on an archived study',
    );
    await page.getByRole('button', { name: 'Restore', exact: true }).click();
    await page.locator('.page-head .badge', { hasText: /^done$/ }).waitFor();

    await page.getByRole('link', { name: 'Clone with edits' }).click();
    await page.getByRole('heading', { name: 'New study', exact: true }).waitFor();
    await waitFor(async () => (await page.getByLabel('Study name').inputValue()) === 'finished (copy)', {
      timeoutMs: 10_000,
      what: 'the form filled from the study',
    });
    assert.equal(await page.getByRole('group', { name: 'Parameter 2' }).getByLabel('Name').inputValue(), 'y');
    await page.getByLabel('Study name').fill('finished, cloned');
    await page.getByLabel('Budget (trials)').fill('7');
    await page.getByRole('button', { name: 'Create study' }).click();
    await page.getByRole('heading', { name: 'finished, cloned', exact: true }).waitFor();
    const cloneId = page.url().split('/').pop();
    const clone = await owner.study(cloneId);
    assert.equal(clone.maxTrials, 7);
    assert.deepEqual(
      clone.searchSpace.map((p) => p.name),
      ['x', 'y'],
    );

    // delete: the name must be typed; a wrong one deletes nothing
    await page.goto(`${stack.web.url}/studies/${ids.done}`);
    await page.getByRole('button', { name: 'Delete' }).waitFor({ timeout: 60_000 });
    page.once('dialog', (d) => d.accept('not the name'));
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('The name did not match; nothing was deleted.').waitFor();
    assert.ok(await owner.study(ids.done));
    page.once('dialog', (d) => d.accept('finished'));
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(new RegExp(`/teams/${teamId}/studies$`));
    const gone = await owner.study(ids.done).catch((e) => e.code);
    assert.ok(gone === null || gone === 'NOT_FOUND', String(gone));
    await ctx.close();
  });
});
