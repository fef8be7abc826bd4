import { registerEnumType } from 'type-graphql';
import { Direction, InvitationState, Role, StudyState, TrialState } from '../db/index.js';

/**
 * The enums are the data layer's (values stored verbatim), registered once for GraphQL here so
 * the schema and the database can never disagree on a spelling.
 */
registerEnumType(Role, { name: 'Role', description: 'OWNER > ADMIN > MEMBER > VIEWER' });
registerEnumType(Direction, { name: 'Direction' });
registerEnumType(StudyState, { name: 'StudyState' });
registerEnumType(TrialState, { name: 'TrialState' });
registerEnumType(InvitationState, {
  name: 'InvitationState',
  description: 'EXPIRED: still pending when its expiresAt passed',
});

export enum TrialEventKind {
  CREATED = 'CREATED',
  CLAIMED = 'CLAIMED',
  COMPLETE = 'COMPLETE',
  PRUNED = 'PRUNED',
  FAILED = 'FAILED',
}
registerEnumType(TrialEventKind, { name: 'TrialEventType' });

export enum ReferencePointSource {
  STUDY = 'STUDY',
  INFERRED = 'INFERRED',
}
registerEnumType(ReferencePointSource, {
  name: 'ReferencePointSource',
  description: "STUDY: given at creation; INFERRED: from the study's completed feasible trials",
});

export enum TrialSort {
  NUMBER_ASC = 'NUMBER_ASC',
  NUMBER_DESC = 'NUMBER_DESC',
  VALUE_ASC = 'VALUE_ASC',
  VALUE_DESC = 'VALUE_DESC',
}
registerEnumType(TrialSort, {
  name: 'TrialSort',
  description: 'Trial order; VALUE_* put trials without a value last',
});

export { Direction, InvitationState, Role, StudyState, TrialState };

export enum ExportFormat {
  CSV = 'CSV',
}
registerEnumType(ExportFormat, {
  name: 'ExportFormat',
  description: 'CSV: RFC 4180 with CRLF line ends, as `posterior export` writes it',
});
