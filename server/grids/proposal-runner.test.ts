// The grid editor's proposals run in a worker thread (server/grids/proposal-runner.ts): the same
// plan as in-process, the server's event loop free meanwhile, and clear answers when a job runs
// too long (503 proposal_timeout, the next job still served), when too many wait (503
// proposal_busy) and when the engine fails on the data (422 proposal_failed). No database.
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_BAND } from '../../core/grid-edit/contract.js';
import { proposePartition } from '../../core/grid-edit/propose.js';
import { ERROR_STATUS } from '../../core/errors.js';
import { syntheticCommunity } from './partition.bench.js';
import { ProposalRunner } from './proposal-runner.js';

const small = syntheticCommunity(300);
const large = syntheticCommunity(2500);
const job = (s: ReturnType<typeof syntheticCommunity>, seed = 1) =>
  ({ kind: 'partition' as const, input: { community: s.boundary, grids: [], buildings: s.buildings, band: DEFAULT_BAND, seed, namePrefix: '合成社区新网格' } });

const runners: ProposalRunner[] = [];
const runner = (opts: ConstructorParameters<typeof ProposalRunner>[0] = {}) => { const r = new ProposalRunner(opts); runners.push(r); return r; };
afterAll(async () => { for (const r of runners) await r.close(); });

describe('proposal runner (worker thread)', () => {
  it('returns the very plan the engine makes in-process, and names new grids', async () => {
    const r = runner();
    const out = await r.run(job(small, 2));
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    const local = proposePartition({ ...job(small, 2).input, name: (n) => `合成社区新网格${n}` });
    expect(out.value.grids.map((g) => g.geometry)).toEqual(local.grids.map((g) => g.geometry));
    expect(out.value.grids.map((g) => g.name)).toEqual(local.grids.map((g) => g.name));
    expect(out.value.quality.inBand).toBe(local.quality.inBand);
    expect(out.value.grids[0]!.name).toMatch(/^合成社区新网格\d+$/);
  });

  it('leaves the event loop free while it works (in-process it would not tick at all)', async () => {
    const r = runner();
    await r.run(job(small)); // worker started and warm
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 5);
    const t0 = performance.now();
    const out = await r.run(job(large));
    const ms = performance.now() - t0;
    clearInterval(timer);
    expect(out.ok).toBe(true);
    expect(ms).toBeGreaterThan(50);
    expect(ticks).toBeGreaterThan(3);
  });

  it('stops a job past its time limit with 503 proposal_timeout and serves the next job with a new worker', async () => {
    const r = runner({ timeoutMs: 30 });
    const slow = await r.run(job(large));
    expect(slow.ok).toBe(false);
    if (slow.ok) return;
    expect(slow.error.code).toBe('proposal_timeout');
    expect(ERROR_STATUS[slow.error.code]).toBe(503);
    expect(r.counts.timeouts).toBe(1);
    const r2 = runner({ timeoutMs: 120_000 });
    expect((await r2.run(job(small))).ok).toBe(true);
    // The timed-out runner starts a fresh worker for its next job (which may time out too; it is answered either way).
    const next = await r.run({ kind: 'rebalance', input: { community: small.boundary, grids: [], buildings: [], band: DEFAULT_BAND } });
    expect(r.counts.workers).toBe(2);
    expect(next.ok || next.error.code === 'proposal_timeout').toBe(true);
  });

  it('refuses jobs beyond the queue limit with 503 proposal_busy, and runs the rest', async () => {
    const r = runner({ maxQueue: 1 });
    const all = await Promise.all([r.run(job(small, 1)), r.run(job(small, 2)), r.run(job(small, 3))]);
    expect(all.map((o) => o.ok)).toEqual([true, true, false]);
    const busy = all[2]!;
    if (busy.ok) return;
    expect(busy.error.code).toBe('proposal_busy');
    expect(ERROR_STATUS[busy.error.code]).toBe(503);
  });

  it('answers 422 proposal_failed when the engine cannot use the data, and keeps working', async () => {
    const r = runner();
    const bad = await r.run({
      kind: 'partition',
      input: { community: small.boundary, grids: [], band: DEFAULT_BAND, buildings: [{ id: 1, geometry: { type: 'Polygon', coordinates: [] }, households: 5, residents: 0 }] },
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.code).toBe('proposal_failed');
    expect(ERROR_STATUS[bad.error.code]).toBe(422);
    expect(bad.error.message).toMatch(/empty polygon/);
    expect((await r.run(job(small))).ok).toBe(true);
    expect(r.counts.workers).toBe(1);
  });
});
