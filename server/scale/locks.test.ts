// Work one process at a time: the escalation tick is skipped where another process holds it, a
// start-up waits its turn, and two processes storing the coverage run at once both succeed, one
// after the other, leaving one whole run. On PGlite (one process by construction) the work runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEngine, storeEngine } from '../coverage/engine.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { loadFixture } from '../testing/fixture.js';
import { holdSessionLock, ifLockFree, LOCK, underLock } from './locks.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await loadFixture(t.db);
}, 180_000);
afterAll(async () => { await t?.drop(); });

const onPostgres = testDbKind() === 'postgres';

describe(`advisory locks on ${testDbKind()}`, () => {
  it('ifLockFree runs the work, or skips it while another holder has the lock', async () => {
    expect(await ifLockFree(t.db, LOCK.escalation, async () => 'ran')).toBe('ran');
    if (!onPostgres) return;
    let release!: () => void;
    const held = ifLockFree(t.db, LOCK.escalation, () => new Promise<string>((r) => { release = () => r('first'); }));
    await new Promise((r) => setTimeout(r, 200));
    expect(await ifLockFree(t.db, LOCK.escalation, async () => 'second')).toBeNull();
    release();
    expect(await held).toBe('first');
    expect(await ifLockFree(t.db, LOCK.escalation, async () => 'third')).toBe('third');
  });

  it('underLock and the start-up lock wait their turn', async () => {
    if (!onPostgres) {
      expect(await underLock(t.db, LOCK.coverage, async () => 'ran')).toBe('ran'); // one process: no lock to wait for
      return;
    }
    const order: string[] = [];
    const a = underLock(t.db, LOCK.coverage, async () => { order.push('a start'); await new Promise((r) => setTimeout(r, 300)); order.push('a end'); });
    await new Promise((r) => setTimeout(r, 50));
    const b = underLock(t.db, LOCK.coverage, async () => { order.push('b'); });
    await Promise.all([a, b]);
    expect(order).toEqual(['a start', 'a end', 'b']);
    const url = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL!);
    url.pathname = `/${(await t.db.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d}`;
    const first = await holdSessionLock(url.toString(), LOCK.startup);
    let secondGot = false;
    const second = holdSessionLock(url.toString(), LOCK.startup).then((rel) => { secondGot = true; return rel; });
    await new Promise((r) => setTimeout(r, 300));
    expect(secondGot).toBe(false);
    await first();
    await (await second)();
    expect(secondGot).toBe(true);
  });

  it('two coverage stores at once both succeed and leave one whole run', async () => {
    const e = await buildEngine(t.db, 1.2);
    for (let round = 0; round < 5; round++) await Promise.all([storeEngine(t.db, e), storeEngine(t.db, e), storeEngine(t.db, e)]);
    const runs = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM coverage_run')).rows[0]!.n;
    expect(runs).toBe(1);
    const perClass = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM coverage_building GROUP BY service_class LIMIT 1')).rows[0]?.n ?? 0;
    expect(perClass).toBe(e.buildings.id.length);
  });
});
