// One API test file's world: a fresh fixture database (T00 district, grids A1/A2/B1), a bearer
// token per role, the app over it and its event bus, with the vitest hooks that make and drop it.
// Call at the top of a test file; the fields are set once beforeAll has run.
import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll } from 'vitest';
import type { CaseView } from '../../core/workflow.js';
import { loadConfig } from '../config.js';
import { EventBus } from '../events/bus.js';
import { createApp } from '../http/app.js';
import { detectEncoder, type TileEncoder } from '../tiles/encode.js';
import { createTestDb, type TestDb } from './db.js';
import { loadFixture } from './fixture.js';
import { loadPrincipals, type Principals } from './principals.js';

export type Who = keyof Principals['tokens'];

export interface FixtureApi {
  t: TestDb;
  app: Express;
  who: Principals;
  grids: Awaited<ReturnType<typeof loadFixture>>;
  bus: EventBus;
  /** Every case the bus published as created / updated, in order. */
  created: CaseView[];
  updates: CaseView[];
  /** Another app over the same database and bus, with other settings. */
  appWith: (env: Record<string, string>) => Express;
  /** Requests as one of the fixture's principals (bearer token), to `app` unless another is given. */
  as: (w: Who, other?: () => Express) => {
    get: (url: string) => request.Test;
    post: (url: string, body: object) => request.Test;
  };
}

export function fixtureApi(env: Record<string, string> = {}): FixtureApi {
  const bus = new EventBus();
  let encoder: TileEncoder;
  const f = { bus, created: [], updates: [] } as unknown as FixtureApi;
  bus.subscribe('incident.created', ({ incident }) => f.created.push(incident as CaseView));
  bus.subscribe('incident.updated', ({ incident }) => f.updates.push(incident as CaseView));
  f.appWith = (e) => createApp({ config: loadConfig(e), db: f.t.db, bus, tileEncoder: encoder, log: () => undefined });
  f.as = (w, other) => {
    const target = () => (other ? other() : f.app);
    const auth = `Bearer ${f.who.tokens[w]}`;
    return {
      get: (url) => request(target()).get(url).set('Authorization', auth),
      post: (url, body) => request(target()).post(url).set('Authorization', auth).send(body),
    };
  };
  beforeAll(async () => {
    f.t = await createTestDb();
    f.grids = await loadFixture(f.t.db);
    f.who = await loadPrincipals(f.t.db, f.grids);
    encoder = await detectEncoder(f.t.db);
    f.app = f.appWith(env);
  }, 180_000);
  afterAll(async () => { await f.t?.drop(); });
  return f;
}
