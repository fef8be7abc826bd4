// Stored XSS and credential theft, end to end in Debian chromium (issue 12, item 1). An attacker
// ("mallory") plants HTML and script in every string a user controls: their name, the team name, a
// study's name and objective, categorical choices, a failed trial's error, an API token's name, an
// artifact's name (and an HTML artifact), a pending invitation's email, then invites the victim.
// The victim logs in through the dashboard, accepts the invitation, visits every page, hovers every
// chart so the tooltips open, and the test asserts:
// - nothing ran: window.__xss stays undefined, no dialog opened;
// - no Content-Security-Policy violation at all (the app works under its CSP, and no injected
//   markup even tried to run), and every page carries the nonce CSP, frame-ancestors 'none', nosniff;
// - no credential is readable by page scripts: the session is an httpOnly SameSite cookie, absent
//   from document.cookie, localStorage and sessionStorage;
// - live updates still arrive over the same-origin WebSocket, and artifacts come with a strict CSP.
// Parameter and metric names are limited by the API to [A-Za-z0-9_.-]; the test checks that a
// hostile one is refused and uses the most hostile names allowed.
// Run: npm run build && node --test tests/e2e/xss.test.mjs
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isPosteriorError } from '@posterior/sdk';
import { createNodeClient } from '@posterior/sdk/node';
import { launch } from './browser.mjs';
import { stackUnavailable, startStack, waitFor } from './stack.mjs';

const here = new URL('.', import.meta.url).pathname;
const shots = join(here, 'screenshots');
mkdirSync(shots, { recursive: true });
const PASSWORD = 'correct horse battery staple';
const why = stackUnavailable();
if (why && process.env.CI) throw new Error(`XSS end to end cannot run in CI: ${why}`);

const IMG = '<img src=x onerror=window.__xss=1>';
const SCRIPT = '"><script>window.__xss=2</script>';
const SVG = "'><svg onload=window.__xss=3>";
const IFRAME = '<iframe srcdoc="<script>parent.__xss=4</script>"></iframe>';
const LINK = 'javascript:window.__xss=5';
/** Every payload in one string, for fields that take one string. */
const ALL = `${IMG}${SCRIPT}${SVG}${IFRAME}`;
const SESSION_COOKIE = 'posterior_session';

describe('stored XSS and credential exposure (browser)', { skip: why ?? false, timeout: 300_000 }, () => {
  let stack;
  let browser;
  const s = {};

  before(async () => {
    stack = await startStack();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('mallory plants payloads in every user-controlled string', async () => {
    const api = stack.api.url;
    const mallory = createNodeClient({ url: api });
    s.malloryEmail = `mallory-${Date.now()}@example.com`;
    const session = await mallory.signUp(s.malloryEmail, PASSWORD, `Mallory ${IMG}`);
    mallory.setToken(session.token);
    const team = await mallory.createTeam(`Team ${ALL}`);
    s.teamId = team.id;
    // The API refuses markup in parameter and metric names: the strictest check of all.
    await assert.rejects(
      mallory.createStudy({
        teamId: team.id,
        name: 'x',
        direction: 'MINIMIZE',
        objective: 'loss',
        searchSpace: [{ name: IMG, type: 'float', low: 0, high: 1 }],
        maxTrials: 3,
      }),
      (e) => isPosteriorError(e, 'BAD_USER_INPUT'),
    );
    const study = await mallory.createStudy({
      teamId: team.id,
      name: `Study ${ALL}`,
      direction: 'MINIMIZE',
      objective: `loss ${IMG}${SCRIPT}`,
      searchSpace: [
        { name: 'x', type: 'float', low: -5, high: 10 },
        { name: 'lr.-_', type: 'float', low: 1e-4, high: 1, log: true },
        { name: 'choice', type: 'categorical', choices: [IMG, SCRIPT, SVG, LINK] },
      ],
      sampler: { type: 'random', seed: 7 },
      maxTrials: 40,
      parallelism: 8,
    });
    s.studyId = study.id;
    // Trials with learning curves, a failed one with a hostile error, one with a hostile artifact.
    for (let i = 0; i < 10; i += 1) {
      const [trial] = await mallory.askTrials(study.id, 1, `worker ${IMG}`);
      assert.ok(trial);
      await mallory.reportMetrics(trial.id, [
        { name: 'val_loss', step: 0, value: 2 + i },
        { name: 'val_loss', step: 1, value: 1 + i / 2 },
        { name: 'acc.-_/:', step: 1, value: 0.5 },
      ]);
      if (i === 3) {
        await mallory.tellTrial(trial.id, { state: 'FAILED', error: `boom ${ALL}` });
        s.failedTrialId = trial.id;
      } else {
        await mallory.tellTrial(trial.id, { state: 'COMPLETE', value: (i - 4.5) ** 2 });
        s.trialId ??= trial.id;
      }
      if (i === 0) {
        const artifact = await mallory.uploadArtifact(trial.id, {
          fileName: `ckpt ${ALL}.html`,
          contentType: 'text/html',
          data: new TextEncoder().encode('<script>window.__xss=9</script><h1>owned</h1>'),
        });
        s.artifactId = artifact.id;
      }
    }
    await mallory.createApiToken(team.id, `token ${ALL}`, 'VIEWER');
    // A pending invitation to a hostile address, shown to the team's admins.
    await mallory.inviteMember(team.id, '<img/src=x/onerror=window.__xss=6>@evil.example', 'VIEWER');
    s.mallory = mallory;
  });

  it('the victim signs up in the dashboard; the session is an httpOnly SameSite cookie, invisible to scripts', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    s.ctx = ctx;
    s.dialogs = [];
    s.violations = [];
    s.sockets = [];
    await ctx.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__cspViolations = window.__cspViolations || [];
        window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
      });
    });
    const page = await ctx.newPage();
    s.page = page;
    page.on('dialog', (d) => {
      s.dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) s.violations.push(m.text());
    });
    page.on('websocket', (ws) => s.sockets.push(ws.url()));
    s.victimEmail = `victim-${Date.now()}@example.com`;
    await page.goto(`${stack.web.url}/signup`);
    await page.getByLabel('Name').fill('Victor Victim');
    await page.getByLabel('Email').fill(s.victimEmail);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Create a team', exact: true }).waitFor();

    const cookies = await ctx.cookies(stack.web.url);
    const session = cookies.find((c) => c.name === SESSION_COOKIE);
    assert.ok(
      session,
      `the session cookie is set on the dashboard origin: ${JSON.stringify(cookies.map((c) => c.name))}`,
    );
    assert.equal(session.httpOnly, true);
    assert.ok(['Lax', 'Strict'].includes(session.sameSite), session.sameSite);
    s.secret = session.value;
    await assertNoCredentialInPage(page);
  });

  async function assertNoCredentialInPage(page) {
    const seen = await page.evaluate(() => {
      const dump = (st) =>
        Object.fromEntries(Array.from({ length: st.length }, (_, i) => [st.key(i), st.getItem(st.key(i))]));
      return { cookie: document.cookie, local: dump(localStorage), session: dump(sessionStorage) };
    });
    assert.ok(!seen.cookie.includes(SESSION_COOKIE), `document.cookie: ${seen.cookie}`);
    for (const [where, store] of [
      ['localStorage', seen.local],
      ['sessionStorage', seen.session],
    ]) {
      for (const [k, v] of Object.entries(store)) {
        assert.ok(!String(v).includes(s.secret), `${where}.${k} holds the session secret`);
        // Session and API-token secrets start pss_ and pst_ (apps/api/src/auth/secrets.ts).
        assert.ok(!/pss_|pst_/.test(String(v)), `${where}.${k} holds a credential: ${v}`);
      }
    }
    assert.equal(seen.cookie.includes(s.secret), false);
  }

  async function assertClean(page, where) {
    const state = await page.evaluate(() => ({
      xss: window.__xss,
      violations: window.__cspViolations ?? [],
    }));
    assert.equal(state.xss, undefined, `${where}: a planted script ran (window.__xss=${state.xss})`);
    assert.deepEqual(state.violations, [], `${where}: CSP violations`);
    assert.deepEqual(s.violations, [], `${where}: CSP errors in the console`);
    assert.deepEqual(s.dialogs, [], `${where}: a dialog opened`);
    await assertNoCredentialInPage(page);
  }

  async function assertPageHeaders(url) {
    const res = await fetch(url, { headers: { cookie: `${SESSION_COOKIE}=${s.secret}` } });
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src [^;]*'nonce-[A-Za-z0-9+/=]+'/, `${url}: ${csp}`);
    assert.doesNotMatch(csp, /script-src [^;]*'unsafe-inline'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /object-src 'none'/);
    assert.match(csp, /base-uri 'none'/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    // Every script tag of the page carries the nonce of that response.
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    const html = await res.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.ok(scripts.length > 0);
    for (const tag of scripts) assert.ok(tag.includes(`nonce="${nonce}"`), `${url}: ${tag}`);
  }

  /** Sweeps the mouse over every chart on the page; returns the tooltip texts seen. */
  async function hoverCharts(page) {
    const seen = [];
    const charts = page.locator('.chart .chart-canvas');
    const n = await charts.count();
    for (let i = 0; i < n; i += 1) {
      const chart = charts.nth(i);
      await chart.scrollIntoViewIfNeeded();
      const box = await chart.boundingBox();
      if (!box) continue;
      for (let gy = 1; gy < 8; gy += 1) {
        for (let gx = 1; gx < 16; gx += 1) {
          await page.mouse.move(box.x + (box.width * gx) / 16, box.y + (box.height * gy) / 8);
          const text = await chart.evaluate((el) => {
            const tips = [...el.parentElement.querySelectorAll('div')].filter(
              (d) => d.style.position === 'absolute' && d.style.display !== 'none' && d.textContent,
            );
            return tips.map((d) => d.textContent).join(' | ');
          });
          if (text) seen.push(text);
        }
      }
    }
    await page.mouse.move(0, 0);
    // Points are a few pixels wide: open the tooltip of each data point (up to 40 per series) too.
    const shown = await page.evaluate(async () => {
      const texts = [];
      for (const el of document.querySelectorAll('.chart-canvas')) {
        const chart = el.__posteriorChart;
        if (!chart) continue;
        const series = chart.getOption().series ?? [];
        for (let si = 0; si < series.length; si += 1) {
          const n = Math.min(Array.isArray(series[si].data) ? series[si].data.length : 0, 40);
          for (let di = 0; di < n; di += 1) {
            chart.dispatchAction({ type: 'showTip', seriesIndex: si, dataIndex: di });
            await new Promise((r) => requestAnimationFrame(r));
            const tips = [...el.querySelectorAll('div')].filter(
              (d) => d.style.position === 'absolute' && d.style.display !== 'none' && d.textContent,
            );
            texts.push(...tips.map((d) => d.textContent));
          }
        }
        chart.dispatchAction({ type: 'hideTip' });
      }
      return texts;
    });
    return [...seen, ...shown];
  }

  it('the victim sees the invitation (hostile team and inviter names as text) and accepts it', async () => {
    await s.mallory.inviteMember(s.teamId, s.victimEmail, 'ADMIN');
    const page = s.page;
    await page.goto(`${stack.web.url}/`);
    await page.waitForURL(/\/invitations$/);
    const row = page
      .getByRole('table', { name: 'My invitations' })
      .getByRole('row')
      .filter({ hasText: 'Team' });
    await row.getByText(`Team ${ALL}`, { exact: true }).waitFor();
    await row.getByText(`Mallory ${IMG}`, { exact: true }).waitFor();
    await page.screenshot({ path: join(shots, 'xss-invitations.png'), fullPage: true });
    await assertClean(page, 'invitations');
    await assertPageHeaders(`${stack.web.url}/invitations`);
    await row.getByRole('button', { name: /^Accept/ }).click();
    await page.waitForURL(new RegExp(`/teams/${s.teamId}/studies$`));
    await page.getByRole('link', { name: `Study ${ALL}` }).waitFor();
    await assertClean(page, 'studies list');
    await assertPageHeaders(page.url());
  });

  it('the study page: every chart hovered, tooltips show the payloads as text, live updates arrive', async () => {
    const page = s.page;
    await page.goto(`${stack.web.url}/studies/${s.studyId}`);
    await page.getByRole('heading', { name: `Study ${ALL}`, exact: true }).waitFor();
    // Below-the-fold charts mount when scrolled near.
    await page.evaluate(async () => {
      for (let y = 0; y < document.body.scrollHeight; y += 400) {
        window.scrollTo(0, y);
        await new Promise((r) => setTimeout(r, 120));
      }
    });
    await waitFor(async () => (await page.locator('.chart[data-ready="true"]').count()) >= 4, {
      timeoutMs: 30_000,
      what: 'the study charts',
    });
    // The slice grid has a panel along the categorical parameter: its hostile choices label the points.
    const tips = await hoverCharts(page);
    assert.ok(tips.length > 0, 'some tooltip opened');
    assert.ok(
      tips.some((t) => t.includes(`choice = ${SVG}`) || t.includes(`choice = ${LINK}`)),
      'a slice tooltip showed a hostile choice as text',
    );
    // The slice plot and the convergence plot name the hostile objective; the slice plot the choices.
    assert.ok(
      tips.some((t) => t.includes(IMG) || t.includes(SCRIPT) || t.includes(SVG)),
      `a tooltip showed a payload as text: ${tips.slice(0, 5).join(' || ')}`,
    );
    await assertClean(page, 'study page');
    await assertPageHeaders(page.url());
    await page.screenshot({ path: join(shots, 'xss-study.png'), fullPage: true });

    // Live: a trial finished by mallory appears without a reload, over this origin's socket.
    const before = await page.getByRole('table', { name: 'Trials' }).getByRole('row').count();
    const [trial] = await s.mallory.askTrials(s.studyId, 1, 'live');
    await s.mallory.tellTrial(trial.id, { state: 'COMPLETE', value: 0.5 });
    await waitFor(
      async () => (await page.getByRole('table', { name: 'Trials' }).getByRole('row').count()) > before,
      { timeoutMs: 20_000, what: 'the live trial row' },
    );
    const origin = new URL(stack.web.url);
    assert.ok(
      s.sockets.some((u) => new URL(u).host === origin.host && new URL(u).pathname === '/graphql'),
      `the live socket is same-origin: ${s.sockets.join(', ')}`,
    );
    assert.ok(!s.sockets.some((u) => new URL(u).host !== origin.host), 'no socket elsewhere');
    await assertClean(page, 'study page (live)');
  });

  it('the trial pages: params, metrics, error and artifact names as text; the artifact is inert', async () => {
    const page = s.page;
    for (const id of [s.trialId, s.failedTrialId]) {
      await page.goto(`${stack.web.url}/trials/${id}`);
      await page.locator('.chart[data-ready="true"]').first().waitFor({ timeout: 30_000 });
      await hoverCharts(page);
      await assertClean(page, `trial ${id}`);
    }
    await page.goto(`${stack.web.url}/trials/${s.failedTrialId}`);
    await page.getByText(`boom ${ALL}`).first().waitFor();
    await assertClean(page, 'failed trial');
    await assertPageHeaders(page.url());

    // The artifact proxy: the API's protection is kept and tightened, whatever the content type.
    const res = await fetch(`${stack.web.url}/artifacts/${s.artifactId}`, {
      headers: { cookie: `${SESSION_COOKIE}=${s.secret}` },
    });
    assert.equal(res.status, 200);
    assert.match(
      res.headers.get('content-security-policy') ?? '',
      /default-src 'none'.*sandbox|sandbox.*default-src 'none'/,
    );
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment/);
    // Opened in the browser, the HTML artifact runs nothing.
    const art = await s.ctx.newPage();
    await art
      .goto(`${stack.web.url}/artifacts/${s.artifactId}`)
      .catch(() => undefined /* a download, not a page */);
    assert.equal(await art.evaluate(() => window.__xss).catch(() => undefined), undefined);
    await art.close();
  });

  it('team settings: hostile member, token and invitation names as text', async () => {
    const page = s.page;
    await page.goto(`${stack.web.url}/teams/${s.teamId}/settings`);
    await page.getByRole('heading', { name: 'Members', exact: true }).waitFor();
    await page.getByRole('table', { name: 'Members' }).getByText(`Mallory ${IMG}`).waitFor();
    await page.getByRole('table', { name: 'API tokens' }).getByText(`token ${ALL}`).waitFor();
    await page
      .getByRole('table', { name: 'Pending invitations' })
      .getByText('<img/src=x/onerror=window.__xss=6>@evil.example')
      .waitFor();
    await assertClean(page, 'team settings');
    await assertPageHeaders(page.url());
  });

  it('cross-site writes and WebSockets through the dashboard are refused', async () => {
    const res = await fetch(`${stack.web.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: 'http://evil.example',
        cookie: `${SESSION_COOKIE}=${s.secret}`,
      },
      body: JSON.stringify({ query: 'mutation { createTeam(name: "csrf") { id } }' }),
    });
    assert.equal(res.status, 403);
    const teams = await s.mallory.teams();
    assert.ok(!teams.some((t) => t.name === 'csrf'));
    // Cross-site WebSocket hijacking: a page elsewhere cannot open the live socket on the cookie.
    const handshake = (origin) =>
      new Promise((resolve, reject) => {
        const req = request(`${stack.web.url}/graphql`, {
          headers: {
            connection: 'Upgrade',
            upgrade: 'websocket',
            'sec-websocket-version': '13',
            'sec-websocket-key': randomBytes(16).toString('base64'),
            'sec-websocket-protocol': 'graphql-transport-ws',
            origin,
            cookie: `${SESSION_COOKIE}=${s.secret}`,
          },
        });
        req.on('response', (r) => {
          r.resume();
          resolve(r.statusCode);
        });
        req.on('upgrade', (_r, socket) => {
          socket.destroy();
          resolve(101);
        });
        req.on('error', reject);
        req.end();
      });
    assert.equal(await handshake('http://evil.example'), 403);
    assert.equal(await handshake(new URL(stack.web.url).origin), 101);
  });

  it('logs out and in through the proxy: the cookie goes and comes back, still out of reach', async () => {
    const page = s.page;
    await page.goto(`${stack.web.url}/teams/${s.teamId}/studies`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
    assert.equal(
      (await s.ctx.cookies(stack.web.url)).some((c) => c.name === SESSION_COOKIE),
      false,
    );
    // The old secret no longer works.
    const me = await fetch(`${stack.web.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `${SESSION_COOKIE}=${s.secret}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    const meBody = await me.json();
    assert.ok(
      meBody.data?.me === null || meBody.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED',
      JSON.stringify(meBody),
    );
    await assertPageHeaders(`${stack.web.url}/login`);
    await page.getByLabel('Email').fill(s.victimEmail);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(new RegExp(`/teams/${s.teamId}/studies$`));
    const session = (await s.ctx.cookies(stack.web.url)).find((c) => c.name === SESSION_COOKIE);
    assert.ok(session?.httpOnly);
    s.secret = session.value;
    await assertClean(page, 'after logging back in');
    await s.ctx.close();
    await s.mallory.close();
  });
});

if (why) console.log(`# skipped: ${why}`);
