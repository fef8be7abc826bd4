/**
 * Node entry: Node 20 has no global WebSocket, so subscriptions use `ws`. Kept out of the main
 * entry so browser bundles never pull `ws` in.
 */
import WebSocket from 'ws';
import { type ClientOptions, PosteriorClient } from './client.js';

export * from './index.js';

export function createNodeClient(options: ClientOptions): PosteriorClient {
  return new PosteriorClient({ webSocketImpl: WebSocket, ...options });
}
