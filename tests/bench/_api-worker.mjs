// Child process of api.mjs: one worker looping ask -> tell against the API for a fixed time, like
// a `posterior worker` process whose objective returns at once. Prints its latencies as JSON.
// `client` is the HTTP client: `http` (node:http, one kept-alive connection) or `fetch` (undici,
// what the SDK uses). The requests are the same; on a 2-core machine shared with the server, a
// client that burns more CPU per request than the server leaves the server less of the machine.
import http from 'node:http';

const [url, token, studyId, seconds, client = 'http'] = process.argv.slice(2);
const ASK = 'mutation($s: ID!) { askTrials(studyId: $s, workerId: "bench") { id params } }';
const TELL = 'mutation($t: ID!, $v: Float) { tellTrial(trialId: $t, state: COMPLETE, value: $v) { id } }';

const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function postHttp(body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (error) {
            reject(error);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

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

for (let i = 0; i < 10; i++) {
  const [t] = (await gql(ASK, { s: studyId })).askTrials;
  await gql(TELL, { t: t.id, v: 1 });
}
// Start together: the parent sends "go" on stdin once every worker is warm.
await new Promise((resolve) => process.stdin.once('data', resolve));
const ask = [];
const tell = [];
const end = performance.now() + Number(seconds) * 1000;
while (performance.now() < end) {
  const t0 = performance.now();
  const [t] = (await gql(ASK, { s: studyId })).askTrials;
  const t1 = performance.now();
  await gql(TELL, { t: t.id, v: t.params.x * t.params.x + t.params.y });
  ask.push(t1 - t0);
  tell.push(performance.now() - t1);
}
process.stdout.write(`${JSON.stringify({ ask, tell })}\n`);
// Stay until the parent has read this process's CPU time and closes stdin.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
