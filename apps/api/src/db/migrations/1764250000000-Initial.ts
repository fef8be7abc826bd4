// The initial schema. Generated from the entities by `typeorm migration:generate`, then extended with
// what entities cannot express (the case-insensitive email index). Never edit a released migration:
// add a new one.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1764250000000 implements MigrationInterface {
  name = 'Initial1764250000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "teams" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_teams_name" CHECK (char_length(btrim("name")) BETWEEN 1 AND 200), CONSTRAINT "PK_7e5523774a38b08a6236d322403" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" text NOT NULL, "password_hash" text NOT NULL, "name" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_users_email" CHECK (position('@' in "email") > 1 AND char_length("email") <= 320), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_users_email_lower" ON "users" (lower("email"))`);
    await queryRunner.query(
      `CREATE TABLE "api_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "team_id" uuid NOT NULL, "name" text NOT NULL, "token_hash" text NOT NULL, "role" text NOT NULL DEFAULT 'MEMBER', "created_by" uuid, "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_api_tokens_token_hash" UNIQUE ("token_hash"), CONSTRAINT "CHK_api_tokens_name" CHECK (char_length(btrim("name")) BETWEEN 1 AND 200), CONSTRAINT "CHK_api_tokens_role" CHECK ("role" IN ('OWNER', 'ADMIN', 'MEMBER', 'VIEWER')), CONSTRAINT "PK_c587455266b5fa8dace7194caac" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_api_tokens_team" ON "api_tokens"  ("team_id") `);
    await queryRunner.query(
      `CREATE TABLE "studies" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "team_id" uuid NOT NULL, "name" text NOT NULL, "direction" text NOT NULL, "objective" text NOT NULL, "search_space" jsonb NOT NULL, "sampler" jsonb NOT NULL, "pruner" jsonb NOT NULL, "max_trials" integer NOT NULL, "parallelism" integer NOT NULL DEFAULT '1', "heartbeat_timeout_s" integer NOT NULL DEFAULT '60', "retry_failed" integer NOT NULL DEFAULT '0', "state" text NOT NULL DEFAULT 'RUNNING', "next_trial_number" integer NOT NULL DEFAULT '0', "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_studies_next_trial_number" CHECK ("next_trial_number" >= 0), CONSTRAINT "CHK_studies_retry_failed" CHECK ("retry_failed" >= 0), CONSTRAINT "CHK_studies_heartbeat_timeout" CHECK ("heartbeat_timeout_s" > 0), CONSTRAINT "CHK_studies_parallelism" CHECK ("parallelism" > 0), CONSTRAINT "CHK_studies_max_trials" CHECK ("max_trials" > 0), CONSTRAINT "CHK_studies_pruner" CHECK (jsonb_typeof("pruner") = 'object'), CONSTRAINT "CHK_studies_sampler" CHECK (jsonb_typeof("sampler") = 'object'), CONSTRAINT "CHK_studies_search_space" CHECK (jsonb_typeof("search_space") = 'array'), CONSTRAINT "CHK_studies_state" CHECK ("state" IN ('RUNNING', 'PAUSED', 'DONE', 'ARCHIVED')), CONSTRAINT "CHK_studies_direction" CHECK ("direction" IN ('MINIMIZE', 'MAXIMIZE')), CONSTRAINT "CHK_studies_objective" CHECK (char_length("objective") BETWEEN 1 AND 200), CONSTRAINT "CHK_studies_name" CHECK (char_length(btrim("name")) BETWEEN 1 AND 200), CONSTRAINT "PK_b100ff0c4a0ad02a9c2270d45b6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_studies_team_created" ON "studies"  ("team_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "trials" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "study_id" uuid NOT NULL, "number" integer NOT NULL, "state" text NOT NULL DEFAULT 'WAITING', "params" jsonb NOT NULL, "value" double precision, "suggestion" jsonb, "worker_id" text, "heartbeat_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "error" text, "retry_of" uuid, CONSTRAINT "UQ_trials_id_study" UNIQUE ("id", "study_id"), CONSTRAINT "UQ_trials_study_number" UNIQUE ("study_id", "number"), CONSTRAINT "CHK_trials_retry_not_self" CHECK ("retry_of" IS NULL OR "retry_of" <> "id"), CONSTRAINT "CHK_trials_running_started" CHECK ("state" <> 'RUNNING' OR "started_at" IS NOT NULL), CONSTRAINT "CHK_trials_finished_iff_terminal" CHECK (("finished_at" IS NOT NULL) = ("state" IN ('COMPLETE', 'PRUNED', 'FAILED'))), CONSTRAINT "CHK_trials_value_finite" CHECK ("value" IS NULL OR ("value" NOT IN ('NaN'::double precision, 'Infinity'::double precision, '-Infinity'::double precision))), CONSTRAINT "CHK_trials_suggestion" CHECK ("suggestion" IS NULL OR jsonb_typeof("suggestion") = 'object'), CONSTRAINT "CHK_trials_params" CHECK (jsonb_typeof("params") = 'object'), CONSTRAINT "CHK_trials_number" CHECK ("number" >= 0), CONSTRAINT "CHK_trials_state" CHECK ("state" IN ('WAITING', 'RUNNING', 'COMPLETE', 'PRUNED', 'FAILED')), CONSTRAINT "PK_afe5dc86ce7253d239c3dfea2d3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_trials_retry_of" ON "trials"  ("retry_of") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_trials_state_heartbeat" ON "trials"  ("state", "heartbeat_at") `,
    );
    await queryRunner.query(`CREATE INDEX "IDX_trials_study_state" ON "trials"  ("study_id", "state") `);
    await queryRunner.query(
      `CREATE TABLE "artifacts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "trial_id" uuid NOT NULL, "display_name" text NOT NULL, "content_type" text NOT NULL, "size_bytes" bigint NOT NULL, "sha256" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_artifacts_display_name" CHECK (char_length("display_name") BETWEEN 1 AND 255), CONSTRAINT "CHK_artifacts_sha256" CHECK ("sha256" ~ '^[0-9a-f]{64}$'), CONSTRAINT "CHK_artifacts_size" CHECK ("size_bytes" >= 0), CONSTRAINT "PK_6516bbed3c129918e05c5012edb" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_artifacts_trial" ON "artifacts"  ("trial_id") `);
    await queryRunner.query(
      `CREATE TABLE "memberships" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "team_id" uuid NOT NULL, "user_id" uuid NOT NULL, "role" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_memberships_team_user" UNIQUE ("team_id", "user_id"), CONSTRAINT "CHK_memberships_role" CHECK ("role" IN ('OWNER', 'ADMIN', 'MEMBER', 'VIEWER')), CONSTRAINT "PK_25d28bd932097a9e90495ede7b4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_memberships_user" ON "memberships"  ("user_id") `);
    await queryRunner.query(
      `CREATE TABLE "metric_points" ("trial_id" uuid NOT NULL, "name" text NOT NULL, "step" integer NOT NULL, "study_id" uuid NOT NULL, "value" double precision NOT NULL, "time" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_metric_points_name" CHECK (char_length("name") BETWEEN 1 AND 200), CONSTRAINT "CHK_metric_points_value_finite" CHECK ("value" NOT IN ('NaN'::double precision, 'Infinity'::double precision, '-Infinity'::double precision)), CONSTRAINT "CHK_metric_points_step" CHECK ("step" >= 0), CONSTRAINT "PK_metric_points" PRIMARY KEY ("trial_id", "name", "step"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_metric_points_study_name_trial_step" ON "metric_points"  ("study_id", "name", "trial_id", "step") `,
    );
    await queryRunner.query(
      `CREATE TABLE "sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "token_hash" text NOT NULL, "user_id" uuid NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_sessions_token_hash" UNIQUE ("token_hash"), CONSTRAINT "PK_3238ef96f18b355b671619111bc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_sessions_user" ON "sessions"  ("user_id") `);
    await queryRunner.query(
      `ALTER TABLE "api_tokens" ADD CONSTRAINT "FK_api_tokens_team" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_tokens" ADD CONSTRAINT "FK_api_tokens_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "studies" ADD CONSTRAINT "FK_studies_team" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "studies" ADD CONSTRAINT "FK_studies_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "trials" ADD CONSTRAINT "FK_trials_study" FOREIGN KEY ("study_id") REFERENCES "studies"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "trials" ADD CONSTRAINT "FK_trials_retry_of" FOREIGN KEY ("retry_of") REFERENCES "trials"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "artifacts" ADD CONSTRAINT "FK_artifacts_trial" FOREIGN KEY ("trial_id") REFERENCES "trials"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "memberships" ADD CONSTRAINT "FK_memberships_team" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "memberships" ADD CONSTRAINT "FK_memberships_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "metric_points" ADD CONSTRAINT "FK_metric_points_trial" FOREIGN KEY ("trial_id", "study_id") REFERENCES "trials"("id","study_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sessions" ADD CONSTRAINT "FK_sessions_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sessions" DROP CONSTRAINT "FK_sessions_user"`);
    await queryRunner.query(`ALTER TABLE "metric_points" DROP CONSTRAINT "FK_metric_points_trial"`);
    await queryRunner.query(`ALTER TABLE "memberships" DROP CONSTRAINT "FK_memberships_user"`);
    await queryRunner.query(`ALTER TABLE "memberships" DROP CONSTRAINT "FK_memberships_team"`);
    await queryRunner.query(`ALTER TABLE "artifacts" DROP CONSTRAINT "FK_artifacts_trial"`);
    await queryRunner.query(`ALTER TABLE "trials" DROP CONSTRAINT "FK_trials_retry_of"`);
    await queryRunner.query(`ALTER TABLE "trials" DROP CONSTRAINT "FK_trials_study"`);
    await queryRunner.query(`ALTER TABLE "studies" DROP CONSTRAINT "FK_studies_created_by"`);
    await queryRunner.query(`ALTER TABLE "studies" DROP CONSTRAINT "FK_studies_team"`);
    await queryRunner.query(`ALTER TABLE "api_tokens" DROP CONSTRAINT "FK_api_tokens_created_by"`);
    await queryRunner.query(`ALTER TABLE "api_tokens" DROP CONSTRAINT "FK_api_tokens_team"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_sessions_user"`);
    await queryRunner.query(`DROP TABLE "sessions"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_metric_points_study_name_trial_step"`);
    await queryRunner.query(`DROP TABLE "metric_points"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_memberships_user"`);
    await queryRunner.query(`DROP TABLE "memberships"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_artifacts_trial"`);
    await queryRunner.query(`DROP TABLE "artifacts"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_trials_study_state"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_trials_state_heartbeat"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_trials_retry_of"`);
    await queryRunner.query(`DROP TABLE "trials"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_studies_team_created"`);
    await queryRunner.query(`DROP TABLE "studies"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_api_tokens_team"`);
    await queryRunner.query(`DROP TABLE "api_tokens"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_users_email_lower"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP TABLE "teams"`);
  }
}
