import { readFileSync } from 'node:fs';

/**
 * The local addresses a TCP port is listening on, read from /proc/net/tcp{,6}: how tests tell
 * "loopback only" from "every interface" without sending a packet to any address but loopback
 * (this workplace forbids traffic to other addresses, this machine's own included). Linux only;
 * elsewhere null.
 */
export function listeningAddresses(port: number): string[] | null {
  const found: string[] = [];
  for (const [file, v6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      if (v6) continue;
      return null;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== '0A' || local === undefined) continue; // 0A: LISTEN
      const [hex, portHex] = local.split(':');
      if (hex === undefined || portHex === undefined || Number.parseInt(portHex, 16) !== port) continue;
      found.push(v6 ? ipv6(hex) : ipv4(hex));
    }
  }
  return found;
}

/** /proc/net/tcp writes an IPv4 address as one little-endian 32-bit word. */
function ipv4(hex: string): string {
  const bytes = [6, 4, 2, 0].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return bytes.join('.');
}

/** Four little-endian 32-bit words; only the forms a listener takes here are named. */
function ipv6(hex: string): string {
  if (/^0+$/.test(hex)) return '::';
  if (hex === '00000000000000000000000001000000') return '::1';
  if (hex.startsWith('0000000000000000FFFF0000')) return `::ffff:${ipv4(hex.slice(24))}`;
  return hex;
}
