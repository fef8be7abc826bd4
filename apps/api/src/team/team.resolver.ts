import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Role } from '../graphql/enums.js';
import { ApiToken, ApiTokenSecret, Invitation, Membership, Team } from '../graphql/types.js';
import type { Context } from '../server/context.js';

@Resolver(() => Team)
export class TeamResolver {
  @Query(() => [Team], { description: "The caller's teams (for an API token: its team)" })
  teams(@Ctx() ctx: Context): Promise<Team[]> {
    return ctx.loaders.once('teams', () => ctx.services.teams.teams(ctx.caller));
  }

  @Query(() => Team, { nullable: true })
  async team(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Team | null> {
    const teams = await ctx.loaders.once('teams', () => ctx.services.teams.teams(ctx.caller));
    return teams.find((t) => t.id === id) ?? null;
  }

  @FieldResolver(() => [Membership])
  members(@Root() team: Team, @Ctx() ctx: Context): Promise<Membership[]> {
    return ctx.loaders.once(`members:${team.id}`, () => ctx.services.teams.members(ctx.caller, team.id));
  }

  @FieldResolver(() => [ApiToken], { description: 'API tokens of the team (ADMIN or higher)' })
  apiTokens(@Root() team: Team, @Ctx() ctx: Context): Promise<ApiToken[]> {
    return ctx.services.teams.apiTokens(ctx.caller, team.id);
  }

  @Mutation(() => Team)
  createTeam(@Arg('name', () => String) name: string, @Ctx() ctx: Context): Promise<Team> {
    return ctx.services.teams.createTeam(ctx.caller, name);
  }

  @FieldResolver(() => [Invitation], {
    description: 'Pending invitations to the team, newest first (ADMIN or higher); expired ones read EXPIRED',
  })
  invitations(@Root() team: Team, @Ctx() ctx: Context): Promise<Invitation[]> {
    return ctx.services.teams.invitations.forTeam(ctx.caller, team.id);
  }

  @Query(() => [Invitation], { description: "The caller's pending invitations (to their login email)" })
  myInvitations(@Ctx() ctx: Context): Promise<Invitation[]> {
    return ctx.services.teams.invitations.mine(ctx.caller);
  }

  @Mutation(() => Invitation, {
    description:
      'Invites an email to the team (ADMIN or higher, a role up to your own); they join when they accept. Inviting a pending email again renews it',
  })
  inviteMember(
    @Arg('teamId', () => ID) teamId: string,
    @Arg('email', () => String) email: string,
    @Arg('role', () => Role) role: Role,
    @Ctx() ctx: Context,
  ): Promise<Invitation> {
    return ctx.services.teams.invitations.invite(ctx.caller, teamId, email, role);
  }

  @Mutation(() => Membership, { description: 'Joins the team of an invitation addressed to you' })
  acceptInvitation(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Membership> {
    return ctx.services.teams.invitations.accept(ctx.caller, id);
  }

  @Mutation(() => Boolean, { description: 'Declines an invitation addressed to you' })
  declineInvitation(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.teams.invitations.decline(ctx.caller, id);
  }

  @Mutation(() => Boolean, { description: 'Withdraws a pending invitation (ADMIN or higher)' })
  revokeInvitation(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.teams.invitations.revoke(ctx.caller, id);
  }

  @Mutation(() => Membership, {
    description: "Changes a member's role (ADMIN or higher; OWNER for owners; a team keeps one OWNER)",
  })
  setMemberRole(
    @Arg('teamId', () => ID) teamId: string,
    @Arg('userId', () => ID) userId: string,
    @Arg('role', () => Role) role: Role,
    @Ctx() ctx: Context,
  ): Promise<Membership> {
    return ctx.services.teams.setMemberRole(ctx.caller, teamId, userId, role);
  }

  @Mutation(() => Membership, {
    description: "Changes an existing member's role, found by email",
    deprecationReason:
      'People join through inviteMember + acceptInvitation; for a member use setMemberRole. A non-member email is BAD_USER_INPUT.',
  })
  addMember(
    @Arg('teamId', () => ID) teamId: string,
    @Arg('email', () => String) email: string,
    @Arg('role', () => Role) role: Role,
    @Ctx() ctx: Context,
  ): Promise<Membership> {
    return ctx.services.teams.addMember(ctx.caller, teamId, email, role);
  }

  @Mutation(() => Boolean, {
    description: 'Removes a member from a team (admins; only owners remove owners; anyone may leave)',
  })
  removeMember(
    @Arg('teamId', () => ID) teamId: string,
    @Arg('userId', () => ID) userId: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return ctx.services.teams.removeMember(ctx.caller, teamId, userId);
  }

  @Mutation(() => ApiTokenSecret)
  createApiToken(
    @Arg('teamId', () => ID) teamId: string,
    @Arg('name', () => String) name: string,
    @Arg('role', () => Role, { nullable: true, description: 'Default MEMBER' }) role: Role | null,
    @Ctx() ctx: Context,
  ): Promise<ApiTokenSecret> {
    return ctx.services.teams.createApiToken(ctx.caller, teamId, name, role);
  }

  @Mutation(() => Boolean)
  revokeApiToken(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.teams.revokeApiToken(ctx.caller, id);
  }
}
