/** GraphQL documents for every operation of DESIGN section 5; field names follow the emitted schema. */

const USER = 'id email name';
const TEAM = 'id name';
const TRIAL = `id number state params value workerId startedAt finishedAt error
  suggestion { sampler mean std acquisition }`;
const STUDY = `id teamId name state direction objective searchSpace sampler pruner maxTrials parallelism
  heartbeatTimeoutS retryFailed createdAt
  trialCounts { waiting running complete pruned failed }
  bestTrial { ${TRIAL} }`;
const METRIC = 'trialId name step value time';
const ARTIFACT = 'id fileName contentType size createdAt';

export const ME = `query Me { me { ${USER} } }`;
export const TEAMS = `query Teams { teams { ${TEAM} } }`;
export const STUDIES = `query Studies($teamId: ID!, $first: Int, $after: String) {
  studies(teamId: $teamId, first: $first, after: $after) {
    edges { node { ${STUDY} } } pageInfo { endCursor hasNextPage } } }`;
export const STUDY_QUERY = `query Study($id: ID!) { study(id: $id) { ${STUDY} } }`;
export const STUDY_TRIALS = `query StudyTrials($id: ID!, $state: TrialState, $first: Int, $after: String) {
  study(id: $id) { id trials(state: $state, first: $first, after: $after) {
    edges { node { ${TRIAL} } } pageInfo { endCursor hasNextPage } } } }`;
export const TRIAL_QUERY = `query Trial($id: ID!) { trial(id: $id) {
  ${TRIAL} metrics { ${METRIC} } artifacts { ${ARTIFACT} } } }`;

export const SIGN_UP = `mutation SignUp($email: String!, $password: String!, $name: String) {
  signUp(email: $email, password: $password, name: $name) { token user { ${USER} } } }`;
export const LOG_IN = `mutation LogIn($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { token user { ${USER} } } }`;
export const LOG_OUT = 'mutation LogOut { logOut }';
export const CREATE_TEAM = `mutation CreateTeam($name: String!) { createTeam(name: $name) { ${TEAM} } }`;
export const ADD_MEMBER = `mutation AddMember($teamId: ID!, $email: String!, $role: Role!) {
  addMember(teamId: $teamId, email: $email, role: $role) { id role user { ${USER} } team { ${TEAM} } } }`;
export const CREATE_API_TOKEN = `mutation CreateApiToken($teamId: ID!, $name: String!, $role: Role) {
  createApiToken(teamId: $teamId, name: $name, role: $role) { id token } }`;
export const REVOKE_API_TOKEN = 'mutation RevokeApiToken($id: ID!) { revokeApiToken(id: $id) }';
export const CREATE_STUDY = `mutation CreateStudy($input: CreateStudyInput!) { createStudy(input: $input) { ${STUDY} } }`;
export const SET_STUDY_STATE = `mutation SetStudyState($id: ID!, $state: StudyState!) {
  setStudyState(id: $id, state: $state) { ${STUDY} } }`;
export const ENQUEUE_TRIAL = `mutation EnqueueTrial($studyId: ID!, $params: JSON!) {
  enqueueTrial(studyId: $studyId, params: $params) { ${TRIAL} } }`;
export const ASK_TRIALS = `mutation AskTrials($studyId: ID!, $count: Int, $workerId: String) {
  askTrials(studyId: $studyId, count: $count, workerId: $workerId) { ${TRIAL} } }`;
export const HEARTBEAT = 'mutation Heartbeat($trialId: ID!) { heartbeat(trialId: $trialId) { shouldStop } }';
export const REPORT_METRICS = `mutation ReportMetrics($trialId: ID!, $points: [MetricPointInput!]!) {
  reportMetrics(trialId: $trialId, points: $points) { accepted shouldPrune } }`;
export const TELL_TRIAL = `mutation TellTrial($trialId: ID!, $state: TrialState!, $value: Float, $error: String) {
  tellTrial(trialId: $trialId, state: $state, value: $value, error: $error) { ${TRIAL} } }`;

export const TRIAL_EVENTS = `subscription TrialEvents($studyId: ID!) {
  trialEvents(studyId: $studyId) { type trial { ${TRIAL} } } }`;
export const METRIC_POINTS = `subscription MetricPoints($studyId: ID!, $trialId: ID) {
  metricPoints(studyId: $studyId, trialId: $trialId) { ${METRIC} } }`;
