// The operator's first contact: a bad setting stops the server with one line that names it.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const run = (env: Record<string, string>) => spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
  cwd: ROOT, env: { ...process.env, DATABASE_URL: '', ...env }, encoding: 'utf8', timeout: 60_000,
});

describe('server/main.ts with a bad configuration', () => {
  it.each([
    ['a port that is not a number', { PORT: 'abc' }, /invalid configuration: PORT/],
    ['object storage without its keys', { PHOTO_STORAGE: 's3' }, /PHOTO_STORAGE=s3 needs S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY/],
  ])('%s: exit 1 with one line naming the setting, no stack trace', (_n, env, message) => {
    const r = run(env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
