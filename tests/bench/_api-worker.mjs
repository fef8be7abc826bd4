// Child process of api.mjs: one worker looping ask -> tell against the API for a fixed time, like
// a `posterior worker` process whose objective returns at once. Prints its latencies as JSON.
// `client` is the HTTP client: `http` (node:http, one kept-alive connection) or `fetch` (undici,
// what the SDK uses). The requests are the same; on a 2-core machine shared with the server, a
// client that burns more CPU per request than the server leaves the server less of the machine.
import { httpPoster } from './_http-post.mjs';

// `protocol`: `separate` (an ask request, then a tell request) or `combined` (what the runner does:
// each tell carries the next ask, SDK `tellAndAsk`, so one request per trial after the first).
const [url, token, studyId, seconds, client = 'http', protocol = 'separate'] = process.argv.slice(2);
const ASK = 'mutation($s: ID!) { askTrials(studyId: $s, workerId: "bench") { id params } }';
const TELL = 'mutation($t: ID!, $v: Float) { tellTrial(trialId: $t, state: COMPLETE, value: $v) { id } }';
const TELL_AND_ASK = `mutation($t: ID!, $v: Float, $s: ID!) {
  tellTrial(trialId: $t, state: COMPLETE, value: $v) { id }
  askTrials(studyId: $s, workerId: "bench") { id params } }`;

const postHttp = httpPoster(url, token);

async function postFetch(body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  });
  return res.json();
}

const post = client === 'fetch' ? postFetch : postHttp;

async function gql(query, variables) {
  const body = await post(JSON.stringify({ query, variables }));
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const objective = (t) => t.params.x * t.params.x + t.params.y;

const ask = [];
const tell = [];
// Combined: the trial claimed by the last request, told by the next one.
let pending = null;
/** Runs trials until `done()`; records latencies when `record`. */
async function loop(done, record) {
  while (!done()) {
    if (protocol === 'combined') {
      // Trial i's latency: the request that tells trial i and claims trial i + 1.
      if (pending === null) [pending] = (await gql(ASK, { s: studyId })).askTrials;
      const t0 = performance.now();
      const data = await gql(TELL_AND_ASK, { t: pending.id, v: objective(pending), s: studyId });
      if (record) {
        tell.push(performance.now() - t0);
        ask.push(0);
      }
      [pending] = data.askTrials;
    } else {
      const t0 = performance.now();
      const [t] = (await gql(ASK, { s: studyId })).askTrials;
      const t1 = performance.now();
      await gql(TELL, { t: t.id, v: objective(t) });
      if (record) {
        ask.push(t1 - t0);
        tell.push(performance.now() - t1);
      }
    }
  }
}

// Warm up (connections, JIT: every protocol equally, whichever runs first) until the parent sends
// "go" on stdin once every worker is warm; then run the timed trials together.
let go = false;
process.stdin.once('data', () => {
  go = true;
});
await loop(() => go, false);
const end = performance.now() + Number(seconds) * 1000;
await loop(() => performance.now() >= end, true);
if (pending !== null) await gql(TELL, { t: pending.id, v: objective(pending) });
process.stdout.write(`${JSON.stringify({ ask, tell })}\n`);
// Stay until the parent has read this process's CPU time and closes stdin.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
