/** GraphQL documents for every operation of docs/DESIGN.md 5; field names follow the emitted schema. */

const USER = 'id email name';
const TEAM = 'id name role createdAt';
const TRIAL = `id studyId number state params value workerId createdAt startedAt heartbeatAt finishedAt error retryOf
  suggestion { sampler phase mean std acquisition acquisitionName }`;
const STUDY = `id teamId name state direction objective searchSpace sampler pruner maxTrials parallelism
  heartbeatTimeoutS retryFailed warmStartFrom createdAt updatedAt
  trialCounts { waiting running complete pruned failed total retries }
  bestTrial { ${TRIAL} }`;
const METRIC = 'trialId name step value time';
const ARTIFACT = 'id trialId name contentType sizeBytes sha256 url createdAt';

export const ME = `query Me { me { ${USER} } }`;
export const TEAMS = `query Teams { teams { ${TEAM} } }`;
export const STUDIES = `query Studies($teamId: ID!, $first: Int, $after: String, $states: [StudyState!],
  $nameContains: String, $sort: StudySort) {
  studies(teamId: $teamId, first: $first, after: $after, states: $states, nameContains: $nameContains, sort: $sort) {
    edges { node { ${STUDY} } } pageInfo { endCursor hasNextPage } } }`;
export const STUDY_QUERY = `query Study($id: ID!) { study(id: $id) { ${STUDY} } }`;
export const TEAM_QUERY = `query Team($id: ID!) { team(id: $id) { ${TEAM} } }`;
export const STUDY_TRIALS = `query StudyTrials($id: ID!, $state: TrialState, $first: Int, $after: String) {
  study(id: $id) { id trials(state: $state, first: $first, after: $after) {
    edges { node { ${TRIAL} } } pageInfo { endCursor hasNextPage } } } }`;
export const STUDY_HISTORY = `query StudyHistory($id: ID!) { study(id: $id) { id
  history { trialId number state value bestSoFar } } }`;
export const STUDY_REPORT = 'query StudyReport($id: ID!) { study(id: $id) { id report } }';
export const STUDY_RECOMMENDED_TRIAL = `query StudyRecommendedTrial($id: ID!) { study(id: $id) { id
  recommendedTrial { trial { ${TRIAL} } mean std noiseStd source } } }`;
export const STUDY_IMPORTANCE = `query StudyImportance($id: ID!) { study(id: $id) { id
  importance { param importance lengthscale } } }`;
export const STUDY_SURROGATE = `query StudySurrogate($id: ID!, $param: String!, $points: Int) { study(id: $id) { id
  surrogate(param: $param, points: $points) { param fixed points { x mean std acquisition } } } }`;
export const TRIAL_QUERY = `query Trial($id: ID!) { trial(id: $id) {
  ${TRIAL} metrics { ${METRIC} } artifacts { ${ARTIFACT} } } }`;

export const SIGN_UP = `mutation SignUp($email: String!, $password: String!, $name: String) {
  signUp(email: $email, password: $password, name: $name) { token expiresAt user { ${USER} } } }`;
export const LOG_IN = `mutation LogIn($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { token expiresAt user { ${USER} } } }`;
export const LOG_OUT = 'mutation LogOut { logOut }';
export const CREATE_TEAM = `mutation CreateTeam($name: String!) { createTeam(name: $name) { ${TEAM} } }`;
export const ADD_MEMBER = `mutation AddMember($teamId: ID!, $email: String!, $role: Role!) {
  addMember(teamId: $teamId, email: $email, role: $role) { id teamId role createdAt user { ${USER} } } }`;
export const SET_MEMBER_ROLE = `mutation SetMemberRole($teamId: ID!, $userId: ID!, $role: Role!) {
  setMemberRole(teamId: $teamId, userId: $userId, role: $role) { id teamId role createdAt user { ${USER} } } }`;
const INVITATION = `id teamId teamName email role state invitedBy { ${USER} } createdAt expiresAt respondedAt`;
export const INVITE_MEMBER = `mutation InviteMember($teamId: ID!, $email: String!, $role: Role!) {
  inviteMember(teamId: $teamId, email: $email, role: $role) { ${INVITATION} } }`;
export const ACCEPT_INVITATION = `mutation AcceptInvitation($id: ID!) {
  acceptInvitation(id: $id) { id teamId role createdAt user { ${USER} } } }`;
export const DECLINE_INVITATION = 'mutation DeclineInvitation($id: ID!) { declineInvitation(id: $id) }';
export const REVOKE_INVITATION = 'mutation RevokeInvitation($id: ID!) { revokeInvitation(id: $id) }';
export const MY_INVITATIONS = `query MyInvitations { myInvitations { ${INVITATION} } }`;
export const TEAM_INVITATIONS = `query TeamInvitations($id: ID!) { team(id: $id) { id invitations { ${INVITATION} } } }`;
export const REMOVE_MEMBER =
  'mutation RemoveMember($teamId: ID!, $userId: ID!) { removeMember(teamId: $teamId, userId: $userId) }';
export const CREATE_API_TOKEN = `mutation CreateApiToken($teamId: ID!, $name: String!, $role: Role) {
  createApiToken(teamId: $teamId, name: $name, role: $role) { id token } }`;
export const REVOKE_API_TOKEN = 'mutation RevokeApiToken($id: ID!) { revokeApiToken(id: $id) }';
export const CREATE_STUDY = `mutation CreateStudy($input: CreateStudyInput!) { createStudy(input: $input) { ${STUDY} } }`;
export const SET_STUDY_STATE = `mutation SetStudyState($id: ID!, $state: StudyState!) {
  setStudyState(id: $id, state: $state) { ${STUDY} } }`;
export const ENQUEUE_TRIAL = `mutation EnqueueTrial($studyId: ID!, $params: JSON!) {
  enqueueTrial(studyId: $studyId, params: $params) { ${TRIAL} } }`;
export const ASK_TRIALS = `mutation AskTrials($studyId: ID!, $count: Int!, $workerId: String, $requestKey: String) {
  askTrials(studyId: $studyId, count: $count, workerId: $workerId, requestKey: $requestKey) { ${TRIAL} } }`;
export const HEARTBEAT = 'mutation Heartbeat($trialId: ID!) { heartbeat(trialId: $trialId) { shouldStop } }';
export const REPORT_METRICS = `mutation ReportMetrics($trialId: ID!, $points: [MetricPointInput!]!) {
  reportMetrics(trialId: $trialId, points: $points) { accepted inserted shouldPrune } }`;
export const TELL_TRIAL = `mutation TellTrial($trialId: ID!, $state: TrialState!, $value: Float, $error: String) {
  tellTrial(trialId: $trialId, state: $state, value: $value, error: $error) { ${TRIAL} } }`;
export const RELEASE_TRIAL = `mutation ReleaseTrial($trialId: ID!) {
  releaseTrial(trialId: $trialId) { ${TRIAL} } }`;
/**
 * A worker's tell followed by its next ask, in one request. Mutation fields run in order, and a
 * failed tell (non-null `Trial!`) stops the operation before `askTrials`: an ask never claims a
 * trial for a worker whose tell was refused.
 */
export const TELL_AND_ASK = `mutation TellAndAsk($trialId: ID!, $state: TrialState!, $value: Float, $error: String,
  $studyId: ID!, $count: Int!, $workerId: String, $requestKey: String) {
  tellTrial(trialId: $trialId, state: $state, value: $value, error: $error) { ${TRIAL} }
  askTrials(studyId: $studyId, count: $count, workerId: $workerId, requestKey: $requestKey) { ${TRIAL} } }`;

export const TRIAL_EVENTS = `subscription TrialEvents($studyId: ID!, $afterSeq: Int) {
  trialEvents(studyId: $studyId, afterSeq: $afterSeq) { seq type trial { ${TRIAL} } } }`;
export const METRIC_POINTS = `subscription MetricPoints($studyId: ID!, $trialId: ID) {
  metricPoints(studyId: $studyId, trialId: $trialId) { ${METRIC} } }`;
