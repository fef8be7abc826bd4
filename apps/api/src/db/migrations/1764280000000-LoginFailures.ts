import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed log-ins per key (an email or a client address), shared by every API process so that N
 * replicas allow the same budget as one. Keys are stored as sha256 hex digests, never raw emails
 * or addresses. One row per key: a fixed window that opens at the key's first failure.
 * No entity: only the log-in rate limiter touches this table, with raw SQL.
 */
export class LoginFailures1764280000000 implements MigrationInterface {
  name = 'LoginFailures1764280000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "login_failures" (
        "key_hash" text NOT NULL,
        "window_start" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "failures" integer NOT NULL DEFAULT 1,
        CONSTRAINT "PK_login_failures" PRIMARY KEY ("key_hash"),
        CONSTRAINT "CHK_login_failures_failures" CHECK ("failures" > 0)
      )`);
    // The clean-up deletes windows that have ended, oldest first.
    await queryRunner.query(
      `CREATE INDEX "IDX_login_failures_window_start" ON "login_failures" ("window_start")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "login_failures"`);
  }
}
