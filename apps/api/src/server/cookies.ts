import type { ServerResponse } from 'node:http';
import { type SerializeOptions, stringifySetCookie } from 'cookie';

/** The cookies an operation sets on its HTTP response (log-in and log-out; none over WebSocket). */
export interface ResponseCookies {
  set(name: string, value: string, options: SerializeOptions): void;
  /** Expires the cookie at once (at the same path it was set with). */
  clear(name: string, options?: Pick<SerializeOptions, 'path'>): void;
}

export function responseCookies(res: ServerResponse): ResponseCookies {
  const append = (line: string): void => {
    const current = res.getHeader('set-cookie');
    const lines = current === undefined ? [] : Array.isArray(current) ? current : [String(current)];
    res.setHeader('set-cookie', [...lines, line]);
  };
  return {
    set: (name, value, options) => append(stringifySetCookie(name, value, options)),
    clear: (name, options) =>
      append(stringifySetCookie(name, '', { path: '/', ...options, expires: new Date(0) })),
  };
}
