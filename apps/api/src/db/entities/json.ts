/** Any JSON value, as stored in a jsonb column. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A trial's parameters: name -> value inside the study's search space (docs/DESIGN.md section 3). */
export type TrialParams = Record<string, string | number | boolean>;

/** What the sampler predicted when it suggested a trial (docs/DESIGN.md section 4). */
export interface TrialSuggestion {
  sampler: string;
  mean?: number;
  std?: number;
  acquisition?: number;
  [key: string]: JsonValue | undefined;
}
