import { downloadArtifact, uploadArtifact } from './artifacts.js';
import { PosteriorError } from './errors.js';
import * as G from './generated/graphql.js';
import type { RetryPolicy } from './retry.js';
import {
  type ConnectionListener,
  type SequencedSink,
  type Sink,
  Subscriptions,
  type Unsubscribe,
} from './subscriptions.js';
import { type Delivery, type RequestOptions, Transport, type TransportOptions } from './transport.js';
import type {
  ApiTokenSecret,
  Artifact,
  AttributeValue,
  AuthPayload,
  CreateStudyInput,
  DownloadedFile,
  FileUpload,
  HeartbeatResult,
  HistoryPoint,
  Invitation,
  Membership,
  MetricPoint,
  MetricPointInput,
  Page,
  ParamImportance,
  Params,
  RecommendedTrial,
  ReportResult,
  Role,
  Study,
  StudySort,
  StudyState,
  SurrogateSlice,
  Team,
  TellInput,
  Trial,
  TrialDetail,
  TrialEvent,
  TrialState,
  User,
} from './types.js';
import * as wire from './wire.js';

export interface PageArgs {
  readonly first?: number;
  readonly after?: string;
}

/** Server-side filter and order of `studies` (all optional: newest first, every study). */
export interface StudyListArgs extends PageArgs {
  readonly states?: readonly StudyState[];
  /** Case-insensitive substring of the name. */
  readonly nameContains?: string;
  readonly sort?: StudySort;
}

export interface TrialPageArgs extends PageArgs {
  readonly state?: TrialState;
}

/** The model insights (importance, surrogate) of a multi-objective study model one objective. */
export interface InsightOptions extends RequestOptions {
  /** The objective's name; absent: the first (a single-objective study's only one). */
  readonly objective?: string;
}

/**
 * The SDK contract: every operation of docs/DESIGN.md section 5 plus artifact transfer. The runner and the
 * CLI depend on this interface, so tests can substitute an in-process fake.
 */
export interface PosteriorApi {
  me(options?: RequestOptions): Promise<User | null>;
  teams(options?: RequestOptions): Promise<readonly Team[]>;
  studies(teamId: string, page?: StudyListArgs, options?: RequestOptions): Promise<Page<Study>>;
  study(id: string, options?: RequestOptions): Promise<Study | null>;
  studyTrials(studyId: string, args?: TrialPageArgs, options?: RequestOptions): Promise<Page<Trial>>;
  trial(id: string, options?: RequestOptions): Promise<TrialDetail | null>;
  team(id: string, options?: RequestOptions): Promise<Team | null>;
  /** Finished trials in order with the best value so far. */
  studyHistory(studyId: string, options?: RequestOptions): Promise<readonly HistoryPoint[]>;
  /** The `bayes_opt.txt` text report, formatted by the server. */
  studyReport(studyId: string, options?: RequestOptions): Promise<string>;
  /** Importance from the GP of one objective (`options.objective`, default the first). */
  studyImportance(studyId: string, options?: InsightOptions): Promise<readonly ParamImportance[]>;
  /** The trial to keep by the model (null without a COMPLETE trial); fits a GP on the server. */
  studyRecommendedTrial(studyId: string, options?: RequestOptions): Promise<RecommendedTrial | null>;
  /** The GP slice along `param` of one objective (`options.objective`, default the first). */
  studySurrogate(
    studyId: string,
    param: string,
    points?: number,
    options?: InsightOptions,
  ): Promise<SurrogateSlice | null>;

  signUp(email: string, password: string, name?: string): Promise<AuthPayload>;
  logIn(email: string, password: string): Promise<AuthPayload>;
  logOut(): Promise<boolean>;
  createTeam(name: string): Promise<Team>;
  /**
   * @deprecated People join through `inviteMember` + `acceptInvitation`; for a member's role use
   * `setMemberRole`. Changes an existing member's role; any other email is BAD_USER_INPUT.
   */
  addMember(teamId: string, email: string, role: Role): Promise<Membership>;
  /** Invites an email to the team (ADMIN or higher, a role up to your own); they join on accepting. */
  inviteMember(teamId: string, email: string, role: Role): Promise<Invitation>;
  /** Joins the team of an invitation addressed to you. */
  acceptInvitation(id: string): Promise<Membership>;
  declineInvitation(id: string): Promise<boolean>;
  /** Withdraws a pending invitation (ADMIN or higher). */
  revokeInvitation(id: string): Promise<boolean>;
  /** Your pending invitations (to your login email). */
  myInvitations(): Promise<readonly Invitation[]>;
  /** A team's pending invitations (ADMIN or higher); expired ones read EXPIRED. */
  teamInvitations(teamId: string): Promise<readonly Invitation[]>;
  /** Changes a member's role (ADMIN or higher; OWNER for owners; a team keeps one OWNER). */
  setMemberRole(teamId: string, userId: string, role: Role): Promise<Membership>;
  createApiToken(teamId: string, name: string, role?: Role): Promise<ApiTokenSecret>;
  /** Removes a member (admins; only owners remove owners) or leaves the team (userId = yourself). */
  removeMember(teamId: string, userId: string): Promise<boolean>;
  revokeApiToken(id: string): Promise<boolean>;
  createStudy(input: CreateStudyInput): Promise<Study>;
  setStudyState(id: string, state: StudyState): Promise<Study>;
  /** Sets the study's description (null or empty clears it; at most 10,000 chars). MEMBER or above. */
  setStudyDescription(studyId: string, description: string | null): Promise<Study>;
  /** Sets a trial's note, in any state (null or empty clears it; at most 10,000 chars). MEMBER or above. */
  setTrialNote(trialId: string, note: string | null): Promise<Trial>;
  /** Replaces a trial's tags, in any state (at most 20 of at most 64 chars; [] clears). MEMBER or above. */
  setTrialTags(trialId: string, tags: readonly string[]): Promise<Trial>;
  /**
   * Sets some of a trial's attributes, in any state (key -> string, number or boolean; null removes
   * the key; `replace` drops the others first). At most 50, keys of at most 64 chars, strings of at
   * most 1,000. MEMBER or above.
   */
  setTrialAttributes(
    trialId: string,
    attributes: Readonly<Record<string, AttributeValue | null>>,
    options?: RequestOptions & { readonly replace?: boolean },
  ): Promise<Trial>;
  /** The study's trials as CSV, as `posterior export` writes it (`Study.trialsExport`); null if no such study. */
  trialsExport(
    studyId: string,
    options?: RequestOptions & { readonly state?: TrialState; readonly metrics?: boolean },
  ): Promise<string | null>;
  enqueueTrial(studyId: string, params: Params): Promise<Trial>;
  /** Idempotent: one request key per call, reused by the SDK's retries (see AskOptions). */
  askTrials(
    studyId: string,
    count?: number,
    workerId?: string,
    options?: AskOptions,
  ): Promise<readonly Trial[]>;
  heartbeat(trialId: string, options?: RequestOptions): Promise<HeartbeatResult>;
  reportMetrics(
    trialId: string,
    points: readonly MetricPointInput[],
    options?: RequestOptions,
  ): Promise<ReportResult>;
  tellTrial(trialId: string, input: TellInput, options?: RequestOptions): Promise<Trial>;
  /**
   * Hands back a RUNNING trial this worker will not finish: the server marks it FAILED
   * ('interrupted') and queues a WAITING copy with the same params (`retryOf` set) that does not
   * count against `maxTrials`; the copy is returned. Idempotent, so safe to retry.
   */
  releaseTrial(trialId: string, options?: RequestOptions): Promise<Trial>;
  /**
   * `tellTrial` then `askTrials` in one request (a worker's finished trial and its next claim).
   * Throws what `tellTrial` would (then nothing was claimed); an ask that fails after the tell
   * landed is returned in `asked`, not thrown. Retries are safe: an identical tell is accepted
   * again, and the ask carries one request key across retries, so a retry whose first answer was
   * lost gets that attempt's claimed trials back (nothing is claimed twice).
   */
  tellAndAsk(
    trialId: string,
    input: TellInput,
    ask: AskInput,
    options?: RequestOptions,
  ): Promise<TellAndAskResult>;

  /**
   * Trial events of a study, each once and in order (`seq`): missed events (a reconnect, a lost
   * notification) are replayed by the server; if they are too old, `sink.resync()` is called.
   */
  trialEvents(studyId: string, sink: SequencedSink<TrialEvent>, options?: TrialEventsOptions): Unsubscribe;
  metricPoints(studyId: string, trialId: string | null, sink: Sink<readonly MetricPoint[]>): Unsubscribe;
  /** Changes of a study no trial event carries (`DESCRIPTION`): reread the study. Not numbered. */
  studyUpdates(
    studyId: string,
    sink: Sink<{ readonly studyId: string; readonly change: string }>,
  ): Unsubscribe;

  uploadArtifact(trialId: string, file: FileUpload, options?: RequestOptions): Promise<Artifact>;
  downloadArtifact(artifactId: string, options?: RequestOptions): Promise<DownloadedFile>;
}

export interface TrialEventsOptions {
  /** Start after this event number (the last one a previous subscription saw): replayed first. */
  readonly afterSeq?: number | null;
}

/** The `askTrials` half of `tellAndAsk`. */
export interface AskInput {
  readonly studyId: string;
  readonly count?: number;
  readonly workerId?: string;
  /** Idempotency key of this ask (see AskOptions.requestKey); a fresh one per call when absent. */
  readonly requestKey?: string;
}

export interface AskOptions extends RequestOptions {
  /**
   * Idempotency key of this logical ask. The SDK makes a fresh one per call and reuses it across
   * its own retries; pass one to extend that across calls (a caller that retries the call itself
   * after the SDK gave up), so any attempt that claimed trials has them returned to the next.
   */
  readonly requestKey?: string;
}

/** A tell's variables: values and constraints only when given, so an older server never sees them. */
function tellVariables(input: TellInput): {
  state: TellInput['state'];
  value: number | null;
  values?: number[];
  constraints?: number[];
  error: string | null;
  logTail: string | null;
  environment: G.TrialEnvironmentInput | null;
} {
  return {
    state: input.state,
    value: input.value ?? null,
    ...(input.values ? { values: [...input.values] } : {}),
    ...(input.constraints ? { constraints: [...input.constraints] } : {}),
    error: input.error ?? null,
    logTail: input.logTail ?? null,
    environment: environmentVariable(input.environment),
  };
}

/** A random key for one logical ask (crypto.randomUUID: Node 19+ and browsers). */
export function newRequestKey(): string {
  return globalThis.crypto.randomUUID();
}

export interface TellAndAskResult {
  /**
   * The told trial as the server holds it; null when the ask failed, because a failed non-null
   * field discards the whole response's data (the tell did land: it ran first and succeeded).
   */
  readonly told: Trial | null;
  /** The claimed trials, or why the ask failed (e.g. CONFLICT: the tell finished the study). */
  readonly asked: { readonly trials: readonly Trial[] } | { readonly error: PosteriorError };
}

export interface ClientOptions extends TransportOptions {
  /** WebSocket constructor for subscriptions; Node 20 has none built in (use `@posterior/sdk/node`). */
  readonly webSocketImpl?: unknown;
  /** Reconnect attempts of subscriptions after their socket drops; unbounded by default. */
  readonly subscriptionRetryAttempts?: number;
  /** Called before each subscription reconnect wait with what failed (for a log line). */
  readonly onSubscriptionReconnect?: (error: PosteriorError, attempt: number, delayMs: number) => void;
}

export class PosteriorClient implements PosteriorApi {
  private readonly transport: Transport;
  private readonly subscriptions: Subscriptions;

  constructor(options: ClientOptions) {
    this.transport = new Transport(options);
    this.subscriptions = new Subscriptions({
      // Follows the replicas too: each reconnect tries the next one.
      url: this.transport.endpoints.reconnectingChooser(),
      token: () => this.transport.token,
      webSocketImpl: options.webSocketImpl,
      ...(options.subscriptionRetryAttempts === undefined
        ? {}
        : { retryAttempts: options.subscriptionRetryAttempts }),
      ...(options.onSubscriptionReconnect === undefined
        ? {}
        : { onReconnect: options.onSubscriptionReconnect }),
    });
  }

  get url(): string {
    return this.transport.base;
  }

  get token(): string | undefined {
    return this.transport.token;
  }

  /** Switches credentials, e.g. to the session token returned by `logIn`. */
  setToken(token: string | undefined): void {
    this.transport.token = token;
  }

  /**
   * Sends a document generated from the schema and returns `data[field]`, typed by the document.
   * The value is still checked by wire.ts's converters, which turn it into domain types.
   */
  private async gql<R, V, K extends keyof R & string>(
    document: G.TypedDocumentString<R, V>,
    variables: V,
    field: K,
    options?: RequestOptions,
    delivery: Delivery = 'idempotent',
  ): Promise<R[K]> {
    const value = await this.transport.graphql(
      String(document),
      variables as Record<string, unknown>,
      field,
      options,
      delivery,
    );
    return value as R[K];
  }

  /** A mutation that would be done twice if repeated: retried only when certainly undelivered. */
  private gqlOnce<R, V, K extends keyof R & string>(
    document: G.TypedDocumentString<R, V>,
    variables: V,
    field: K,
  ) {
    return this.gql(document, variables, field, undefined, 'once');
  }

  /**
   * Any operation of src/operations (the generated `*Document`s), typed by its document: `data`
   * whole, as the schema types it (no conversion). An error in the answer is thrown.
   */
  async request<R, V>(
    document: G.TypedDocumentString<R, V>,
    variables: V,
    options?: RequestOptions,
    delivery: Delivery = 'idempotent',
  ): Promise<R> {
    const { data } = await this.transport.graphqlFields(
      String(document),
      variables as Record<string, unknown>,
      [],
      options,
      delivery,
    );
    if (data === null) throw new PosteriorError('BAD_RESPONSE', 'response has no data');
    return data as R;
  }

  async me(options?: RequestOptions): Promise<User | null> {
    const value = await this.gql(G.MeDocument, {}, 'me', options);
    return value === null ? null : wire.toUser(value);
  }

  async teams(options?: RequestOptions): Promise<readonly Team[]> {
    return wire.list(await this.gql(G.TeamsDocument, {}, 'teams', options), 'teams').map(wire.toTeam);
  }

  async studies(teamId: string, page: StudyListArgs = {}, options?: RequestOptions): Promise<Page<Study>> {
    const value = await this.gql(G.StudiesDocument, { teamId, ...page }, 'studies', options);
    return wire.toPage(value, wire.toStudy, 'studies');
  }

  async study(id: string, options?: RequestOptions): Promise<Study | null> {
    const value = await this.gql(G.StudyDocument, { id }, 'study', options);
    return value === null ? null : wire.toStudy(value);
  }

  async studyTrials(
    studyId: string,
    args: TrialPageArgs = {},
    options?: RequestOptions,
  ): Promise<Page<Trial>> {
    const value = await this.gql(G.StudyTrialsDocument, { id: studyId, ...args }, 'study', options);
    if (value === null) return { items: [], endCursor: null, hasNextPage: false };
    return wire.toPage(wire.obj(value, 'study').trials, wire.toTrial, 'trials');
  }

  async trial(id: string, options?: RequestOptions): Promise<TrialDetail | null> {
    const value = await this.gql(G.TrialDocument, { id }, 'trial', options);
    return value === null ? null : wire.toTrialDetail(value);
  }

  async team(id: string, options?: RequestOptions): Promise<Team | null> {
    const value = await this.gql(G.TeamDocument, { id }, 'team', options);
    return value === null ? null : wire.toTeam(value);
  }

  /** Reads one field of `study(id)`; a missing study is NOT_FOUND for these derived views. */
  private async studyField<R extends { readonly study: unknown }, V extends { readonly id: string | number }>(
    document: G.TypedDocumentString<R, V>,
    variables: V,
    field: string,
    options?: RequestOptions,
  ): Promise<unknown> {
    const value = await this.gql(document, variables, 'study', options);
    if (value === null) throw new PosteriorError('NOT_FOUND', `study ${String(variables.id)} not found`);
    return wire.obj(value, 'study')[field];
  }

  async studyHistory(studyId: string, options?: RequestOptions): Promise<readonly HistoryPoint[]> {
    const value = await this.studyField(G.StudyHistoryDocument, { id: studyId }, 'history', options);
    return wire.list(value, 'history').map(wire.toHistoryPoint);
  }

  async studyReport(studyId: string, options?: RequestOptions): Promise<string> {
    const value = await this.studyField(G.StudyReportDocument, { id: studyId }, 'report', options);
    if (typeof value !== 'string') throw new PosteriorError('BAD_RESPONSE', 'report is not a string');
    return value;
  }

  async studyImportance(studyId: string, options?: InsightOptions): Promise<readonly ParamImportance[]> {
    const value = await this.studyField(
      G.StudyImportanceDocument,
      { id: studyId, objective: options?.objective },
      'importance',
      options,
    );
    return wire.list(value, 'importance').map(wire.toParamImportance);
  }

  async studyRecommendedTrial(studyId: string, options?: RequestOptions): Promise<RecommendedTrial | null> {
    const value = await this.studyField(
      G.StudyRecommendedTrialDocument,
      { id: studyId },
      'recommendedTrial',
      options,
    );
    return value === null || value === undefined ? null : wire.toRecommendedTrial(value);
  }

  async studySurrogate(
    studyId: string,
    param: string,
    points?: number,
    options?: InsightOptions,
  ): Promise<SurrogateSlice | null> {
    const value = await this.studyField(
      G.StudySurrogateDocument,
      { id: studyId, param, points, objective: options?.objective },
      'surrogate',
      options,
    );
    return value === null || value === undefined ? null : wire.toSurrogateSlice(value);
  }

  async signUp(email: string, password: string, name?: string): Promise<AuthPayload> {
    return wire.toAuthPayload(await this.gqlOnce(G.SignUpDocument, { email, password, name }, 'signUp'));
  }

  async logIn(email: string, password: string): Promise<AuthPayload> {
    return wire.toAuthPayload(await this.gql(G.LogInDocument, { email, password }, 'logIn'));
  }

  async logOut(): Promise<boolean> {
    return (await this.gql(G.LogOutDocument, {}, 'logOut')) === true;
  }

  async createTeam(name: string): Promise<Team> {
    return wire.toTeam(await this.gqlOnce(G.CreateTeamDocument, { name }, 'createTeam'));
  }

  async addMember(teamId: string, email: string, role: Role): Promise<Membership> {
    return wire.toMembership(await this.gqlOnce(G.AddMemberDocument, { teamId, email, role }, 'addMember'));
  }

  async inviteMember(teamId: string, email: string, role: Role): Promise<Invitation> {
    return wire.toInvitation(await this.gql(G.InviteMemberDocument, { teamId, email, role }, 'inviteMember'));
  }

  async acceptInvitation(id: string): Promise<Membership> {
    return wire.toMembership(await this.gql(G.AcceptInvitationDocument, { id }, 'acceptInvitation'));
  }

  async declineInvitation(id: string): Promise<boolean> {
    return (await this.gql(G.DeclineInvitationDocument, { id }, 'declineInvitation')) === true;
  }

  async revokeInvitation(id: string): Promise<boolean> {
    return (await this.gql(G.RevokeInvitationDocument, { id }, 'revokeInvitation')) === true;
  }

  async myInvitations(): Promise<readonly Invitation[]> {
    return wire
      .list(await this.gql(G.MyInvitationsDocument, {}, 'myInvitations'), 'myInvitations')
      .map(wire.toInvitation);
  }

  async teamInvitations(teamId: string): Promise<readonly Invitation[]> {
    const team = await this.gql(G.TeamInvitationsDocument, { id: teamId }, 'team');
    if (team === null || team === undefined) throw new PosteriorError('NOT_FOUND', 'team not found');
    return wire.list((team as { invitations?: unknown }).invitations, 'invitations').map(wire.toInvitation);
  }

  async setMemberRole(teamId: string, userId: string, role: Role): Promise<Membership> {
    return wire.toMembership(
      await this.gql(G.SetMemberRoleDocument, { teamId, userId, role }, 'setMemberRole'),
    );
  }

  async createApiToken(teamId: string, name: string, role?: Role): Promise<ApiTokenSecret> {
    return wire.toApiTokenSecret(
      await this.gqlOnce(G.CreateApiTokenDocument, { teamId, name, role }, 'createApiToken'),
    );
  }

  async removeMember(teamId: string, userId: string): Promise<boolean> {
    return (await this.gql(G.RemoveMemberDocument, { teamId, userId }, 'removeMember')) === true;
  }

  async revokeApiToken(id: string): Promise<boolean> {
    return (await this.gql(G.RevokeApiTokenDocument, { id }, 'revokeApiToken')) === true;
  }

  async createStudy(input: CreateStudyInput): Promise<Study> {
    return wire.toStudy(await this.gqlOnce(G.CreateStudyDocument, { input }, 'createStudy'));
  }

  async setStudyState(id: string, state: StudyState): Promise<Study> {
    return wire.toStudy(await this.gql(G.SetStudyStateDocument, { id, state }, 'setStudyState'));
  }

  async enqueueTrial(studyId: string, params: Params): Promise<Trial> {
    return wire.toTrial(await this.gqlOnce(G.EnqueueTrialDocument, { studyId, params }, 'enqueueTrial'));
  }

  async askTrials(
    studyId: string,
    count = 1,
    workerId?: string,
    options?: AskOptions,
  ): Promise<readonly Trial[]> {
    // One key per logical ask, the same on every retry: a retry whose first attempt's answer was
    // lost gets that attempt's trials back instead of claiming (and wasting) new ones.
    const requestKey = options?.requestKey ?? newRequestKey();
    const value = await this.gql(
      G.AskTrialsDocument,
      { studyId, count, workerId, requestKey },
      'askTrials',
      options,
    );
    return wire.list(value, 'askTrials').map(wire.toTrial);
  }

  async heartbeat(trialId: string, options?: RequestOptions): Promise<HeartbeatResult> {
    return wire.toHeartbeatResult(await this.gql(G.HeartbeatDocument, { trialId }, 'heartbeat', options));
  }

  async reportMetrics(
    trialId: string,
    points: readonly MetricPointInput[],
    options?: RequestOptions,
  ): Promise<ReportResult> {
    const value = await this.gql(G.ReportMetricsDocument, { trialId, points }, 'reportMetrics', options);
    return wire.toReportResult(value);
  }

  async tellTrial(trialId: string, input: TellInput, options?: RequestOptions): Promise<Trial> {
    const variables = { trialId, ...tellVariables(input) };
    return wire.toTrial(await this.gql(G.TellTrialDocument, variables, 'tellTrial', options));
  }

  async setStudyDescription(studyId: string, description: string | null): Promise<Study> {
    return wire.toStudy(
      await this.gql(G.SetStudyDescriptionDocument, { studyId, description }, 'setStudyDescription'),
    );
  }

  async setTrialNote(trialId: string, note: string | null): Promise<Trial> {
    return wire.toTrial(await this.gql(G.SetTrialNoteDocument, { trialId, note }, 'setTrialNote'));
  }

  async setTrialTags(trialId: string, tags: readonly string[]): Promise<Trial> {
    return wire.toTrial(await this.gql(G.SetTrialTagsDocument, { trialId, tags: [...tags] }, 'setTrialTags'));
  }

  async setTrialAttributes(
    trialId: string,
    attributes: Readonly<Record<string, AttributeValue | null>>,
    options: RequestOptions & { readonly replace?: boolean } = {},
  ): Promise<Trial> {
    const { replace, ...request } = options;
    const list = Object.entries(attributes).map(([key, value]) => ({ key, value }));
    return wire.toTrial(
      await this.gql(
        G.SetTrialAttributesDocument,
        { trialId, attributes: list, replace: replace ?? false },
        'setTrialAttributes',
        request,
      ),
    );
  }

  async trialsExport(
    studyId: string,
    options: RequestOptions & { readonly state?: TrialState; readonly metrics?: boolean } = {},
  ): Promise<string | null> {
    const { state, metrics, ...request } = options;
    const value = await this.gql(
      G.TrialsExportDocument,
      { id: studyId, format: 'CSV', state: state ?? null, metrics: metrics ?? true },
      'study',
      request,
    );
    if (value === null) return null;
    const csv = (value as { trialsExport?: unknown }).trialsExport;
    if (typeof csv !== 'string') throw new PosteriorError('BAD_RESPONSE', 'trialsExport is not a string');
    return csv;
  }

  async releaseTrial(trialId: string, options?: RequestOptions): Promise<Trial> {
    return wire.toTrial(await this.gql(G.ReleaseTrialDocument, { trialId }, 'releaseTrial', options));
  }

  async tellAndAsk(
    trialId: string,
    input: TellInput,
    ask: AskInput,
    options?: RequestOptions,
  ): Promise<TellAndAskResult> {
    const variables = {
      trialId,
      ...tellVariables(input),
      studyId: ask.studyId,
      count: ask.count ?? 1,
      workerId: ask.workerId,
      requestKey: ask.requestKey ?? newRequestKey(),
    };
    const { data, errors } = await this.transport.graphqlFields(
      String(G.TellAndAskDocument),
      variables,
      ['askTrials'],
      options,
    );
    const askError = errors[0];
    if (askError) return { told: null, asked: { error: askError } };
    if (data === null) throw new PosteriorError('BAD_RESPONSE', 'response has no data');
    return {
      told: wire.toTrial(data.tellTrial),
      asked: { trials: wire.list(data.askTrials, 'askTrials').map(wire.toTrial) },
    };
  }

  trialEvents(
    studyId: string,
    sink: SequencedSink<TrialEvent>,
    options: TrialEventsOptions = {},
  ): Unsubscribe {
    return this.subscriptions.subscribeSequenced(
      String(G.TrialEventsDocument),
      { studyId },
      'trialEvents',
      wire.toTrialEvent,
      sink,
      options.afterSeq ?? null,
    );
  }

  metricPoints(studyId: string, trialId: string | null, sink: Sink<readonly MetricPoint[]>): Unsubscribe {
    const convert = (value: unknown) => wire.list(value, 'metricPoints').map(wire.toMetricPoint);
    return this.subscriptions.subscribe(
      String(G.MetricPointsDocument),
      { studyId, trialId },
      'metricPoints',
      convert,
      sink,
    );
  }

  studyUpdates(
    studyId: string,
    sink: Sink<{ readonly studyId: string; readonly change: string }>,
  ): Unsubscribe {
    const convert = (value: unknown) => {
      const o = (value ?? {}) as { studyId?: unknown; change?: unknown };
      if (typeof o.studyId !== 'string' || typeof o.change !== 'string')
        throw new PosteriorError('BAD_RESPONSE', 'studyUpdates: expected { studyId, change }');
      return { studyId: o.studyId, change: o.change };
    };
    return this.subscriptions.subscribe(
      String(G.StudyUpdatesDocument),
      { studyId },
      'studyUpdates',
      convert,
      sink,
    );
  }

  /** `for await` over trial events; breaking out of the loop unsubscribes. */
  iterateTrialEvents(studyId: string, options: TrialEventsOptions = {}): AsyncIterableIterator<TrialEvent> {
    return this.subscriptions.iterateFrom((sink) => this.trialEvents(studyId, sink, options));
  }

  iterateMetricPoints(
    studyId: string,
    trialId: string | null = null,
  ): AsyncIterableIterator<readonly MetricPoint[]> {
    const convert = (value: unknown) => wire.list(value, 'metricPoints').map(wire.toMetricPoint);
    return this.subscriptions.iterate(
      String(G.MetricPointsDocument),
      { studyId, trialId },
      'metricPoints',
      convert,
    );
  }

  uploadArtifact(trialId: string, file: FileUpload, options?: RequestOptions): Promise<Artifact> {
    return uploadArtifact(this.transport, trialId, file, options);
  }

  downloadArtifact(artifactId: string, options?: RequestOptions): Promise<DownloadedFile> {
    return downloadArtifact(this.transport, artifactId, options);
  }

  /** Every trial of a study, following pages. */
  async allTrials(studyId: string, state?: TrialState, options?: RequestOptions): Promise<Trial[]> {
    const trials: Trial[] = [];
    let after: string | undefined;
    for (;;) {
      const args: TrialPageArgs = { first: 200, ...(state ? { state } : {}), ...(after ? { after } : {}) };
      const page = await this.studyTrials(studyId, args, options);
      trials.push(...page.items);
      if (!page.hasNextPage || page.endCursor === null) return trials;
      after = page.endCursor;
    }
  }

  /** Closes the subscription socket so a Node process can exit. */
  /**
   * Follows the subscription socket's state (`connecting`, `connected`, `closed`); the listener is
   * called at once with the current state. `connected` after `closed` is a reconnect: graphql-ws
   * resubscribes, but events published while the socket was down are not replayed, so a view
   * refetches what it shows.
   */
  onConnection(listener: ConnectionListener): Unsubscribe {
    return this.subscriptions.onConnection(listener);
  }

  async close(): Promise<void> {
    await this.subscriptions.dispose();
  }
}

export function createClient(options: ClientOptions): PosteriorClient {
  return new PosteriorClient(options);
}

export type { RetryPolicy };

/** A TellInput's environment as the GraphQL variable (a copy: the generated input type is mutable). */
function environmentVariable(env: TellInput['environment']): G.TrialEnvironmentInput | null {
  if (env === null || env === undefined) return null;
  return {
    backend: env.backend ?? null,
    host: env.host ?? null,
    platform: env.platform ?? null,
    nodeVersion: env.nodeVersion ?? null,
    workerId: env.workerId ?? null,
    packages: env.packages ? env.packages.map((p) => ({ name: p.name, version: p.version })) : null,
  };
}
