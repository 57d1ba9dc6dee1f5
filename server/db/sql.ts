// Loads named SQL from .sql files beside the capability that uses them.
// A file holds one or more queries, each introduced by a line `-- name: someName`.
import { readFileSync } from 'node:fs';

export function loadSql<N extends string>(url: URL, names: readonly N[]): Record<N, string> {
  const text = readFileSync(url, 'utf8');
  const out: Record<string, string> = {};
  let current: string | null = null;
  let buf: string[] = [];
  const flush = () => {
    if (current) out[current] = buf.join('\n').trim().replace(/;\s*$/, '');
  };
  for (const line of text.split('\n')) {
    const m = /^--\s*name:\s*(\w+)\s*$/.exec(line);
    if (m) {
      flush();
      current = m[1]!;
      buf = [];
    } else if (current) buf.push(line);
  }
  flush();
  for (const n of names) {
    if (!out[n]) throw new Error(`SQL ${n} missing in ${url.pathname}`);
  }
  return out as Record<N, string>;
}
