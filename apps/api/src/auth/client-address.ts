import type { IncomingMessage } from 'node:http';
import ipaddr from 'ipaddr.js';
import proxyAddr from 'proxy-addr';

/**
 * The end client's address of a request, for rate limiting (issue 12, item 5). X-Forwarded-For is
 * honoured only from configured trusted proxies (`TRUSTED_PROXIES`: addresses, CIDR ranges, or
 * proxy-addr's names `loopback`, `linklocal`, `uniquelocal`), walking it from the right so a client
 * cannot forge its own entry in front of the proxy's. The default trusts loopback: the dashboard's
 * proxy runs beside the API and forwards the browser's address; a client reaching the API directly
 * from elsewhere has its X-Forwarded-For ignored.
 */
export type ClientAddressOf = (req: IncomingMessage) => string;

export const DEFAULT_TRUSTED_PROXIES: readonly string[] = ['loopback'];

export function clientAddressResolver(trusted: readonly string[] = DEFAULT_TRUSTED_PROXIES): ClientAddressOf {
  const trust = proxyAddr.compile([...trusted]);
  return (req) => {
    // proxy-addr reads req.connection (deprecated alias of req.socket) and the forwarded header.
    if (req.socket.remoteAddress === undefined) return 'unknown';
    return bucketAddress(proxyAddr(req as Parameters<typeof proxyAddr>[0], trust));
  };
}

/**
 * The address a budget is kept for: IPv4 as is (also when IPv4-mapped), IPv6 by its /64, since
 * one subscriber commonly holds a whole /64 and could otherwise rotate through it.
 */
export function bucketAddress(address: string): string {
  if (!ipaddr.isValid(address)) return address.slice(0, 100);
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${ipaddr.IPv6.parse(`${parts.map((p) => p.toString(16)).join(':')}::`).toString()}/64`;
}

/** Validates a TRUSTED_PROXIES entry (used by the config schema); null when fine, else the problem. */
export function trustedProxyProblem(entry: string): string | null {
  try {
    proxyAddr.compile([entry]);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
