import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Team invitations (issue 12): a team admin invites an email; the person who logs in with that
 * email accepts or declines. Replaces `addMember` adding any registered user without consent.
 */
export class TeamInvitations1764293000000 implements MigrationInterface {
  name = 'TeamInvitations1764293000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "invitations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "team_id" uuid NOT NULL, "email" text NOT NULL, "role" text NOT NULL, "state" text NOT NULL DEFAULT 'PENDING', "invited_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "responded_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_invitations_email" CHECK (char_length("email") BETWEEN 3 AND 320 AND "email" = lower("email")), CONSTRAINT "CHK_invitations_state" CHECK ("state" IN ('PENDING', 'ACCEPTED', 'DECLINED', 'REVOKED', 'EXPIRED')), CONSTRAINT "CHK_invitations_role" CHECK ("role" IN ('OWNER', 'ADMIN', 'MEMBER', 'VIEWER')), CONSTRAINT "PK_invitations" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_invitations_email" ON "invitations" ("email") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_invitations_pending_team_email" ON "invitations" ("team_id", "email") WHERE "state" = 'PENDING'`,
    );
    await queryRunner.query(
      `ALTER TABLE "invitations" ADD CONSTRAINT "FK_invitations_team" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "invitations" ADD CONSTRAINT "FK_invitations_invited_by" FOREIGN KEY ("invited_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "invitations" DROP CONSTRAINT "FK_invitations_invited_by"`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP CONSTRAINT "FK_invitations_team"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_invitations_pending_team_email"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_invitations_email"`);
    await queryRunner.query(`DROP TABLE "invitations"`);
  }
}
