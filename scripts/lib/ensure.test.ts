import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDotEnv, parseDotEnv } from './ensure.mjs';

describe('.env parsing', () => {
  it('reads KEY=VALUE lines, comments, export and quotes', () => {
    const text = [
      '# comment',
      '',
      'PORT=8080',
      'HOST = 0.0.0.0 ',
      'export LOG_LEVEL=debug',
      'DATABASE_URL=postgres://u:p@h:5432/db # trailing comment',
      "BASEMAP_URL='https://t.example/{z}/{x}/{y}.png#x'",
      'MSG="line\\nnext \\"q\\"" # c',
      'EMPTY=',
      'not a line',
      '1BAD=x',
    ].join('\r\n');
    expect(parseDotEnv(text)).toEqual({
      PORT: '8080',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'debug',
      DATABASE_URL: 'postgres://u:p@h:5432/db',
      BASEMAP_URL: 'https://t.example/{z}/{x}/{y}.png#x',
      MSG: 'line\nnext "q"',
      EMPTY: '',
    });
  });

  it('does not override variables already set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gc-env-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'A=from-file\nB=from-file\n');
    const env: Record<string, string | undefined> = { A: 'from-shell' };
    expect(loadDotEnv(file, env)).toEqual(['B']);
    expect(env).toEqual({ A: 'from-shell', B: 'from-file' });
    expect(loadDotEnv(join(dir, 'missing'), env)).toEqual([]);
  });
});
