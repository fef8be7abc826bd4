import { forwardToApi } from '../../../lib/api/proxy';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ path?: string[] }> };

async function target(ctx: Ctx): Promise<string> {
  const { path } = await ctx.params;
  return `/artifacts${path?.length ? `/${path.map(encodeURIComponent).join('/')}` : ''}`;
}

export async function GET(req: Request, ctx: Ctx): Promise<Response> {
  return forwardToApi(req, await target(ctx), 'artifact');
}

export async function POST(req: Request, ctx: Ctx): Promise<Response> {
  return forwardToApi(req, await target(ctx), 'artifact');
}
