/**
 * The GraphQL documents the SDK sends, as plain strings (for callers that must issue the identical
 * request). They are generated from src/operations/*.graphql against the schema
 * (generated/graphql.ts, whose typed documents the client uses).
 */
import * as G from './generated/graphql.js';

export const ME = String(G.MeDocument);
export const TEAMS = String(G.TeamsDocument);
export const STUDIES = String(G.StudiesDocument);
export const STUDY_QUERY = String(G.StudyDocument);
export const TEAM_QUERY = String(G.TeamDocument);
export const STUDY_TRIALS = String(G.StudyTrialsDocument);
export const STUDY_HISTORY = String(G.StudyHistoryDocument);
export const STUDY_REPORT = String(G.StudyReportDocument);
export const STUDY_RECOMMENDED_TRIAL = String(G.StudyRecommendedTrialDocument);
export const STUDY_IMPORTANCE = String(G.StudyImportanceDocument);
export const STUDY_SURROGATE = String(G.StudySurrogateDocument);
export const TRIAL_QUERY = String(G.TrialDocument);
export const SIGN_UP = String(G.SignUpDocument);
export const LOG_IN = String(G.LogInDocument);
export const LOG_OUT = String(G.LogOutDocument);
export const CREATE_TEAM = String(G.CreateTeamDocument);
export const ADD_MEMBER = String(G.AddMemberDocument);
export const SET_MEMBER_ROLE = String(G.SetMemberRoleDocument);
export const INVITE_MEMBER = String(G.InviteMemberDocument);
export const ACCEPT_INVITATION = String(G.AcceptInvitationDocument);
export const DECLINE_INVITATION = String(G.DeclineInvitationDocument);
export const REVOKE_INVITATION = String(G.RevokeInvitationDocument);
export const MY_INVITATIONS = String(G.MyInvitationsDocument);
export const TEAM_INVITATIONS = String(G.TeamInvitationsDocument);
export const REMOVE_MEMBER = String(G.RemoveMemberDocument);
export const CREATE_API_TOKEN = String(G.CreateApiTokenDocument);
export const REVOKE_API_TOKEN = String(G.RevokeApiTokenDocument);
export const CREATE_STUDY = String(G.CreateStudyDocument);
export const SET_STUDY_STATE = String(G.SetStudyStateDocument);
export const ENQUEUE_TRIAL = String(G.EnqueueTrialDocument);
export const ASK_TRIALS = String(G.AskTrialsDocument);
export const HEARTBEAT = String(G.HeartbeatDocument);
export const REPORT_METRICS = String(G.ReportMetricsDocument);
export const TELL_TRIAL = String(G.TellTrialDocument);
export const RELEASE_TRIAL = String(G.ReleaseTrialDocument);
export const TELL_AND_ASK = String(G.TellAndAskDocument);
export const TRIAL_EVENTS = String(G.TrialEventsDocument);
export const METRIC_POINTS = String(G.MetricPointsDocument);
export const STUDIES_LIST = String(G.StudiesListDocument);
export const TRIAL_TABLE = String(G.TrialTableDocument);
export const STUDY_CURVES = String(G.StudyCurvesDocument);
export const TRIAL_PAGE = String(G.TrialPageDocument);
export const TEAM_SETTINGS = String(G.TeamSettingsDocument);
export const TEAM_ADMIN = String(G.TeamAdminDocument);
export const SET_STUDY_BUDGET = String(G.SetStudyBudgetDocument);
export const DELETE_STUDY = String(G.DeleteStudyDocument);
export const COOKIE_LOG_IN = String(G.CookieLogInDocument);
export const COOKIE_SIGN_UP = String(G.CookieSignUpDocument);
