// Arguments of `npm run generate`: parsed and checked before anything is opened, so a bad value
// writes nothing. Pure.

export interface GenerateOptions {
  /** Management grids in the city (1 … 200,000). */
  grids: number;
  /** Seed of every random draw: the same seed gives byte-identical rows. */
  seed: number;
  /** Incidents over the history (default ≈ 333 per grid). */
  incidents: number;
  /** Length of the incident history in days, ending at `end` (default 365). */
  days: number;
  /** The history ends at 00:00 UTC of this day (default 2026-12-01): fixed, so output does not depend on the clock. */
  end: string;
  /** Dataset id (default `city-<seed>`); regenerating the same id replaces it. */
  dataset: string;
}

export const MAX_GRIDS = 200_000;
export const MAX_INCIDENTS = 50_000_000;
export const BUILDINGS_PER_GRID = 33;
export const INCIDENTS_PER_GRID = 333;

export type ArgsResult = { ok: true; value: GenerateOptions } | { ok: false; error: string };

const INT = /^\d+$/;

function intArg(name: string, raw: string | undefined, min: number, max: number): number | string {
  if (raw === undefined) return `--${name} needs a value`;
  if (!INT.test(raw.trim())) return `--${name} must be a whole number, got "${raw}"`;
  const n = Number(raw.trim());
  if (!Number.isSafeInteger(n) || n < min || n > max) return `--${name} must be between ${min} and ${max.toLocaleString('en')}, got ${raw}`;
  return n;
}

/** Parse `--grids N --seed S [--incidents N] [--days D] [--end YYYY-MM-DD] [--dataset ID]`. */
export function parseGenerateArgs(argv: readonly string[]): ArgsResult {
  const raw = new Map<string, string | undefined>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) return { ok: false, error: `unexpected argument "${a}"` };
    const eq = a.indexOf('=');
    const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (!['grids', 'seed', 'incidents', 'days', 'end', 'dataset'].includes(key)) return { ok: false, error: `unknown option --${key}` };
    if (raw.has(key)) return { ok: false, error: `--${key} given twice` };
    if (eq > 0) raw.set(key, a.slice(eq + 1));
    else {
      const next = argv[i + 1];
      raw.set(key, next !== undefined && !next.startsWith('--') ? next : undefined);
      if (next !== undefined && !next.startsWith('--')) i++;
    }
  }
  if (!raw.has('grids')) return { ok: false, error: '--grids is required (e.g. --grids 30000)' };
  const grids = intArg('grids', raw.get('grids'), 1, MAX_GRIDS);
  if (typeof grids === 'string') return { ok: false, error: grids };
  const seed = raw.has('seed') ? intArg('seed', raw.get('seed'), 0, 2 ** 32 - 1) : 1;
  if (typeof seed === 'string') return { ok: false, error: seed };
  const incidents = raw.has('incidents') ? intArg('incidents', raw.get('incidents'), 0, MAX_INCIDENTS) : grids * INCIDENTS_PER_GRID;
  if (typeof incidents === 'string') return { ok: false, error: incidents };
  const days = raw.has('days') ? intArg('days', raw.get('days'), 1, 3660) : 365;
  if (typeof days === 'string') return { ok: false, error: days };
  const end = raw.get('end') ?? '2026-12-01';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(end) || Number.isNaN(Date.parse(`${end}T00:00:00Z`))) return { ok: false, error: `--end must be a date YYYY-MM-DD, got "${end}"` };
  const dataset = raw.get('dataset') ?? `city-${seed}`;
  if (!/^[a-z0-9][a-z0-9_-]{0,40}$/.test(dataset)) return { ok: false, error: `--dataset must be lower-case letters, digits, - or _ (≤ 41), got "${dataset}"` };
  return { ok: true, value: { grids, seed, incidents, days, end, dataset } };
}
