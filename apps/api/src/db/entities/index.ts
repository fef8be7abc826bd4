import { ApiTokenEntity } from './api-token.entity.js';
import { ArtifactEntity } from './artifact.entity.js';
import { InvitationEntity } from './invitation.entity.js';
import { MembershipEntity } from './membership.entity.js';
import { MetricPointEntity } from './metric-point.entity.js';
import { SessionEntity } from './session.entity.js';
import { StudyEntity } from './study.entity.js';
import { TeamEntity } from './team.entity.js';
import { TrialEntity } from './trial.entity.js';
import { UserEntity } from './user.entity.js';

export { ApiTokenEntity } from './api-token.entity.js';
export { ArtifactEntity } from './artifact.entity.js';
export {
  Direction,
  InvitationState,
  Role,
  StudyState,
  sqlList,
  TERMINAL_TRIAL_STATES,
  TrialState,
} from './enums.js';
export { InvitationEntity } from './invitation.entity.js';
export type { JsonObject, JsonValue, TrialParams, TrialSuggestion } from './json.js';
export { MembershipEntity } from './membership.entity.js';
export { MetricPointEntity } from './metric-point.entity.js';
export { SessionEntity } from './session.entity.js';
export { StudyEntity } from './study.entity.js';
export { TeamEntity } from './team.entity.js';
export {
  isTrialInfoList,
  TRIAL_INFO,
  TRIAL_INFO_COLUMNS,
  TrialEntity,
  type TrialInfo,
  type TrialInfoColumn,
  type TrialInfoJson,
  type TrialInfoRow,
  type TrialInfoSqlType,
} from './trial.entity.js';
export { UserEntity } from './user.entity.js';

export const entities = [
  UserEntity,
  TeamEntity,
  MembershipEntity,
  SessionEntity,
  ApiTokenEntity,
  StudyEntity,
  TrialEntity,
  MetricPointEntity,
  ArtifactEntity,
  InvitationEntity,
];
