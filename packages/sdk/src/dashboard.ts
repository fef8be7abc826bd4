/**
 * The dashboard's reads and writes beyond the worker/CLI contract (PosteriorApi): compact views of
 * its pages, typed by the documents generated from the schema (src/operations/dashboard.graphql).
 * Results are the schema's wire shapes (ISO date strings), which the dashboard renders as they are.
 */
import type { TrialTable } from '@posterior/core';
import type { PosteriorClient } from './client.js';
import * as G from './generated/graphql.js';
import type { RequestOptions } from './transport.js';

export type StudiesListArgs = G.StudiesListQueryVariables;
export type StudiesListPage = G.StudiesListQuery['studies'];
export type StudyRow = StudiesListPage['nodes'][number];
export type TrialPage = NonNullable<G.TrialPageQuery['trial']>;
export type TeamSettings = NonNullable<G.TeamSettingsQuery['team']>;
export type TeamAdmin = NonNullable<G.TeamAdminQuery['team']>;
/** A trial as every list of trials reads it (TrialFields): the wire shape, dates as ISO strings. */
export type WireTrial = G.TrialFieldsFragment;

/** `Study.trialTable`'s value and row, as the API builds them (one definition, in @posterior/core). */
export type { TrialTable, TrialTableRow } from '@posterior/core';

/** One metric's curve of one trial (`Study.curves`): steps ascending, values alongside. */
export interface Curve {
  readonly trialId: string;
  readonly name: string;
  readonly steps: readonly number[];
  readonly values: readonly number[];
}

export async function studiesList(
  client: PosteriorClient,
  args: StudiesListArgs,
  options?: RequestOptions,
): Promise<StudiesListPage> {
  return (await client.request(G.StudiesListDocument, args, options)).studies;
}

/** Every trial of a study in one compact answer; null when the study is gone (or not the caller's). */
export async function trialTable(
  client: PosteriorClient,
  studyId: string,
  options?: RequestOptions,
): Promise<TrialTable | null> {
  const data = await client.request(G.TrialTableDocument, { id: studyId }, options);
  return data.study ? (data.study.trialTable as TrialTable) : null;
}

/** A page of a study's trials in the given order (for studies larger than one trial table). */
export async function trialsPage(
  client: PosteriorClient,
  studyId: string,
  args: { readonly sort: G.TrialSort; readonly after: string | null; readonly first: number },
  options?: RequestOptions,
): Promise<{ nodes: WireTrial[]; endCursor: string | null; hasNextPage: boolean } | null> {
  const data = await client.request(G.StudyTrialsDocument, { id: studyId, ...args }, options);
  if (!data.study) return null;
  const t = data.study.trials;
  return {
    nodes: t.edges.map((e) => e.node),
    endCursor: t.pageInfo.endCursor,
    hasNextPage: t.pageInfo.hasNextPage,
  };
}

/** Every metric curve of a study in one request. */
export async function studyCurves(
  client: PosteriorClient,
  studyId: string,
  options?: RequestOptions,
): Promise<Curve[]> {
  const data = await client.request(G.StudyCurvesDocument, { id: studyId }, options);
  return (data.study?.curves ?? []) as Curve[];
}

export async function trialPage(
  client: PosteriorClient,
  trialId: string,
  options?: RequestOptions,
): Promise<TrialPage | null> {
  return (await client.request(G.TrialPageDocument, { id: trialId }, options)).trial;
}

export async function teamSettings(
  client: PosteriorClient,
  teamId: string,
  options?: RequestOptions,
): Promise<TeamSettings | null> {
  return (await client.request(G.TeamSettingsDocument, { id: teamId }, options)).team;
}

/** A team's API tokens and pending invitations (ADMIN or higher). */
export async function teamAdmin(
  client: PosteriorClient,
  teamId: string,
  options?: RequestOptions,
): Promise<TeamAdmin | null> {
  return (await client.request(G.TeamAdminDocument, { id: teamId }, options)).team;
}

/** Sets a study's budget (maxTrials); the API refuses less than the trials already used. */
export async function setStudyBudget(
  client: PosteriorClient,
  studyId: string,
  maxTrials: number,
): Promise<void> {
  await client.request(G.SetStudyBudgetDocument, { id: studyId, maxTrials });
}

/** Deletes a study with its trials, metrics and checkpoints (admins; not while RUNNING). */
export async function deleteStudy(client: PosteriorClient, studyId: string): Promise<void> {
  await client.request(G.DeleteStudyDocument, { id: studyId }, undefined, 'once');
}

/** Logs in with the session set as an httpOnly cookie (the answer carries no token). */
export async function cookieLogIn(client: PosteriorClient, email: string, password: string): Promise<void> {
  await client.request(G.CookieLogInDocument, { email, password });
}

export async function cookieSignUp(
  client: PosteriorClient,
  email: string,
  password: string,
  name: string | null,
): Promise<void> {
  await client.request(G.CookieSignUpDocument, { email, password, name }, undefined, 'once');
}
