import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { AuthPayload, User } from '../graphql/types.js';
import type { Context } from '../server/context.js';
import { SESSION_COOKIE } from '../server/context.js';
import type { Session } from './auth.service.js';

function withCookie(ctx: Context, session: Session, cookie: boolean): AuthPayload {
  if (cookie && ctx.cookies) {
    // httpOnly: the dashboard's scripts never see the secret; SameSite=Lax plus Apollo's CSRF
    // prevention keep other sites from riding on it.
    ctx.cookies.set(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: ctx.secureCookies,
      expires: session.expiresAt,
      path: '/',
    });
  }
  return Object.assign(new AuthPayload(), session);
}

@Resolver()
export class AuthResolver {
  @Query(() => User, { nullable: true, description: 'The logged-in user (for an API token: its creator)' })
  me(@Ctx() ctx: Context): Promise<User | null> {
    return ctx.loaders.once('me', () => ctx.services.auth.me(ctx.caller));
  }

  @Mutation(() => AuthPayload)
  async signUp(
    @Arg('email', () => String) email: string,
    @Arg('password', () => String) password: string,
    @Arg('name', () => String, { nullable: true }) name: string | null,
    @Arg('cookie', () => Boolean, { defaultValue: false, description: 'Also set an httpOnly session cookie' })
    cookie: boolean,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    return withCookie(ctx, await ctx.services.auth.signUp(email, password, name, ctx.clientKey), cookie);
  }

  @Mutation(() => AuthPayload)
  async logIn(
    @Arg('email', () => String) email: string,
    @Arg('password', () => String) password: string,
    @Arg('cookie', () => Boolean, { defaultValue: false, description: 'Also set an httpOnly session cookie' })
    cookie: boolean,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    return withCookie(ctx, await ctx.services.auth.logIn(email, password, ctx.clientKey), cookie);
  }

  @Mutation(() => Boolean, { description: 'Ends the current session (false for API tokens)' })
  async logOut(@Ctx() ctx: Context): Promise<boolean> {
    ctx.cookies?.clear(SESSION_COOKIE, { path: '/' });
    return ctx.services.auth.logOut(ctx.caller);
  }
}
