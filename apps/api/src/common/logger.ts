import { pino } from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs on stdout; the level comes from the caller (the env module owns env). */
export function createLogger(level: pino.LevelWithSilent = 'info'): Logger {
  return pino({ level, base: { service: 'posterior-api' } });
}
