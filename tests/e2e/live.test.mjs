// Live views you can trust (issue 15, items 1-3), in Debian chromium against a real API: after a
// network cut and reconnect the study page equals the API; with no socket at all it polls; a study
// that finishes stops saying RUNNING/Pause/Live; the studies list follows new studies; a trial page
// opened mid-run loses no point. Trials are driven from the test through the SDK.
// Run: npm run build && node --test tests/e2e/live.test.mjs
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createNodeClient } from '@posterior/sdk/node';
import { launch } from './browser.mjs';
import { PASSWORD, signedInContext } from './dashboard-fixture.mjs';
import { stackUnavailable, startStack, waitFor } from './stack.mjs';

const why = stackUnavailable();
if (why && process.env.CI) throw new Error(`dashboard end to end cannot run in CI: ${why}`);

const SPACE = [
  { name: 'x', type: 'float', low: -5, high: 10 },
  { name: 'y', type: 'float', low: 0, high: 15 },
];

/** What the API says about a study: its state and each trial's number and state (straight from GraphQL). */
async function apiView(apiUrl, token, studyId) {
  const res = await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: 'query($id: ID!) { study(id: $id) { state trials(first: 500) { nodes { number state } } } }',
      variables: { id: studyId },
    }),
  });
  const body = await res.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  const { state, trials } = body.data.study;
  return {
    state,
    trials: trials.nodes.map((t) => `${t.number}:${t.state}`).sort(),
    complete: trials.nodes.filter((t) => t.state === 'COMPLETE').length,
  };
}

/** What the study page shows: its state badge, every row of the trials table, the Complete counter. */
function pageView(page) {
  return page.evaluate(() => {
    const rows = [...document.querySelectorAll('table[aria-label="Trials"] tbody tr')].map((tr) => {
      const n = tr
        .querySelector('a[aria-label^="Open trial"]')
        ?.getAttribute('aria-label')
        ?.replace('Open trial ', '');
      const badge = tr.querySelector('td[data-col="state"] .badge')?.textContent?.toUpperCase();
      return `${n}:${badge}`;
    });
    const stat = [...document.querySelectorAll('.stat')].find(
      (s) => s.querySelector('.k')?.textContent === 'Complete',
    );
    return {
      state: document.querySelector('.page-head h1 + .badge')?.textContent?.toUpperCase(),
      trials: rows.sort(),
      complete: Number(stat?.querySelector('.v')?.textContent?.replace(/,/g, '') ?? Number.NaN),
    };
  });
}

describe('dashboard live views', { skip: why ?? false, timeout: 300_000 }, () => {
  let stack;
  let browser;
  let owner;
  let ownerToken;
  let teamId;
  const email = `live-${Date.now()}@example.com`;

  before(async () => {
    stack = await startStack();
    browser = await launch();
    const anon = createNodeClient({ url: stack.api.url });
    const { token } = await anon.signUp(email, PASSWORD, 'Live Owner');
    await anon.close();
    ownerToken = token;
    owner = createNodeClient({ url: stack.api.url, token });
    teamId = (await owner.createTeam('Live Lab')).id;
  });
  after(async () => {
    await owner?.close();
    await browser?.close();
    await stack?.stop();
  });

  const newStudy = async (name, maxTrials) =>
    (
      await owner.createStudy({
        teamId,
        name,
        direction: 'MINIMIZE',
        objective: 'loss',
        searchSpace: SPACE,
        sampler: { type: 'random', seed: 1 },
        maxTrials,
        parallelism: maxTrials,
      })
    ).id;

  /** A signed-in browser context (the session cookie set through the dashboard's proxy). */
  const signedIn = (options = {}) => signedInContext(browser, stack, email, options);

  /**
   * Routes the page's graphql-ws socket through the test: `cut()` closes it and refuses new ones (as
   * a dropped network would), `restore()` lets the next reconnect through and resolves when it has.
   */
  async function cuttableSocket(ctx) {
    let blocked = false;
    const open = new Set();
    let onConnect = null;
    await ctx.routeWebSocket(/\/graphql$/, (ws) => {
      if (blocked) {
        ws.close({ code: 1001, reason: 'network cut' });
        return;
      }
      ws.connectToServer();
      open.add(ws);
      ws.onClose(() => open.delete(ws));
      onConnect?.();
    });
    return {
      cut() {
        blocked = true;
        for (const ws of open) ws.close({ code: 1001, reason: 'network cut' });
        open.clear();
      },
      restore() {
        return new Promise((resolve) => {
          onConnect = () => {
            onConnect = null;
            resolve(Date.now());
          };
          blocked = false;
        });
      },
    };
  }

  it('after a network cut and reconnect the study page equals the API within 2 s', async () => {
    const studyId = await newStudy('cut and reconnect', 12);
    const running = await owner.askTrials(studyId, 4, 'e2e');
    await owner.tellTrial(running[0].id, { state: 'COMPLETE', value: 3 });
    const ctx = await signedIn();
    const socket = await cuttableSocket(ctx);
    const page = await ctx.newPage();
    await page.goto(`${stack.web.url}/studies/${studyId}`);
    await page.locator('[data-status="live"]').waitFor({ timeout: 60_000 });
    assert.deepEqual(await pageView(page), await apiView(stack.api.url, ownerToken, studyId));

    socket.cut();
    await page.locator('[data-status="stale"], [data-status="polling"]').first().waitFor();
    assert.equal(await page.locator('[data-status="live"]').count(), 0, 'still says Live while cut off');
    // during the gap: trials finish, fail and start, and new ones are created
    await owner.tellTrial(running[1].id, { state: 'COMPLETE', value: 2 });
    await owner.tellTrial(running[2].id, { state: 'FAILED', error: 'boom' });
    await owner.tellTrial(running[3].id, { state: 'PRUNED' });
    const gap = await owner.askTrials(studyId, 2, 'e2e');
    await owner.tellTrial(gap[0].id, { state: 'COMPLETE', value: 1 });
    const expected = await apiView(stack.api.url, ownerToken, studyId);

    const reconnectedAt = await socket.restore();
    let equalAt = 0;
    await waitFor(
      async () => {
        const shown = await pageView(page);
        if (JSON.stringify(shown) !== JSON.stringify(expected)) return false;
        equalAt = Date.now();
        return true;
      },
      { timeoutMs: 15_000, intervalMs: 50, what: 'the page to equal the API after reconnecting' },
    );
    const lag = equalAt - reconnectedAt;
    assert.ok(lag <= 2000, `page equal to the API ${lag} ms after the reconnect`);
    await page.locator('[data-status="live"]').waitFor({ timeout: 5000 });
    assert.deepEqual(await pageView(page), expected);
    await ctx.close();
  });

  it('polls when the socket cannot open at all, and says so', async () => {
    const studyId = await newStudy('no socket', 6);
    const running = await owner.askTrials(studyId, 2, 'e2e');
    const ctx = await signedIn();
    await ctx.routeWebSocket(/\/graphql$/, (ws) => ws.close({ code: 1001, reason: 'blocked' }));
    const page = await ctx.newPage();
    await page.goto(`${stack.web.url}/studies/${studyId}`);
    await page.getByRole('table', { name: 'Trials' }).waitFor({ timeout: 60_000 });
    await page.locator('[data-status="polling"]').waitFor({ timeout: 15_000 });
    assert.match(await page.locator('[data-status="polling"]').textContent(), /Not live/);
    await owner.tellTrial(running[0].id, { state: 'COMPLETE', value: 5 });
    await owner.askTrials(studyId, 1, 'e2e');
    const expected = await apiView(stack.api.url, ownerToken, studyId);
    await waitFor(async () => JSON.stringify(await pageView(page)) === JSON.stringify(expected), {
      timeoutMs: 12_000,
      intervalMs: 100,
      what: 'a poll to bring the page level with the API',
    });
    await ctx.close();
  });

  it('a study that finishes stops showing running, Pause and Live without a reload', async () => {
    const studyId = await newStudy('finishes live', 2);
    const ctx = await signedIn();
    const page = await ctx.newPage();
    await page.goto(`${stack.web.url}/studies/${studyId}`);
    await page.locator('[data-status="live"]').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    for (const t of await owner.askTrials(studyId, 2, 'e2e'))
      await owner.tellTrial(t.id, { state: 'COMPLETE', value: 1 });
    assert.equal((await owner.study(studyId)).state, 'DONE');
    await page.locator('.page-head .badge', { hasText: /^done$/ }).waitFor({ timeout: 5000 });
    await page.locator('[data-status="finished"]').waitFor({ timeout: 5000 });
    assert.equal(await page.getByRole('button', { name: 'Pause' }).count(), 0);
    // a DONE study with its budget spent offers no action that would fail
    assert.equal(await page.getByRole('button', { name: 'Resume' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Enqueue trial' }).count(), 0);
    await ctx.close();
  });

  it('the studies list shows new studies and progress without a reload', async () => {
    const ctx = await signedIn();
    const page = await ctx.newPage();
    await page.goto(`${stack.web.url}/teams/${teamId}/studies`);
    await page.getByRole('table', { name: 'Studies' }).waitFor({ timeout: 60_000 });
    const name = `appears live ${Date.now()}`;
    const studyId = await newStudy(name, 3);
    await page.getByRole('link', { name, exact: true }).waitFor({ timeout: 10_000 });
    const [t] = await owner.askTrials(studyId, 1, 'e2e');
    await owner.tellTrial(t.id, { state: 'COMPLETE', value: 1 });
    await page
      .getByRole('progressbar', { name: `${name} progress` })
      .and(page.locator('[aria-valuenow="1"]'))
      .waitFor({
        timeout: 10_000,
      });
    await ctx.close();
  });

  it('a trial page opened mid-run loses no point reported while it loads', async () => {
    const studyId = await newStudy('trial mid-run', 2);
    const [trial] = await owner.askTrials(studyId, 1, 'e2e');
    let step = 0;
    let reporting = true;
    // a point every 20 ms from before the page opens until after it is subscribed
    const reporter = (async () => {
      while (reporting) {
        await owner.reportMetrics(trial.id, [{ name: 'loss', step, value: 1 / (step + 1) }]);
        step++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const ctx = await signedIn();
    const page = await ctx.newPage();
    await page.goto(`${stack.web.url}/trials/${trial.id}`);
    await page.locator('[data-status="live"]').waitFor({ timeout: 60_000 });
    await page.waitForTimeout(1500);
    reporting = false;
    await reporter;
    const reported = step;
    await page
      .getByRole('img', { name: `loss by step, ${reported} points` })
      .waitFor({ timeout: 5000 })
      .catch(async (e) => {
        const labels = await page
          .getByRole('img')
          .evaluateAll((els) => els.map((el) => el.getAttribute('aria-label')));
        throw new Error(`expected ${reported} points; chart labels: ${labels.join(' | ')} (${e.message})`);
      });
    await ctx.close();
  });
});
