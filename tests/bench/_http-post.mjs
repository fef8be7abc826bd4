// One kept-alive node:http POST of a JSON body, for the API benchmarks' load generators. undici's
// fetch (what the SDK uses) costs several times the CPU per request; on a 2-core machine shared
// with the server, that client would be measured instead of the server.
import http from 'node:http';

/** A poster bound to one GraphQL URL, bearer token and connection pool of `sockets`. */
export function httpPoster(url, token, sockets = 1) {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  return (body) =>
    new Promise((resolve, reject) => {
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
