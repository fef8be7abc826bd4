import { forwardToApi } from '../../lib/api/proxy';

export const dynamic = 'force-dynamic';

export function POST(req: Request): Promise<Response> {
  return forwardToApi(req, '/graphql');
}

export function GET(req: Request): Promise<Response> {
  return forwardToApi(req, '/graphql');
}
