import { describe, expect, it } from 'vitest';
import type { Incident } from '../../../core/types.js';
import { IncidentStore } from './incident-store.js';

const inc = (id: number, updatedAt = '2024-01-01T00:00:00Z', extra: Partial<Incident> = {}): Incident => ({
  id,
  clientKey: `k${id}`,
  category: 'sanitation',
  description: '',
  source: 'patrol',
  status: 'reported',
  lon: 121.5,
  lat: 31.23,
  inputCrs: 'wgs84',
  gridId: 1,
  gridName: '网格1',
  communityCode: null,
  subdistrictCode: null,
  districtCode: null,
  synthetic: true,
  createdAt: `2024-01-01T00:00:0${id % 10}Z`,
  updatedAt,
  ...extra,
});

describe('IncidentStore', () => {
  it('applies add/update/remove and lists newest first', () => {
    const s = new IncidentStore<Incident>();
    s.apply({ add: [inc(1), inc(2)], update: [], remove: [] });
    expect(s.list().map((i) => i.id)).toEqual([2, 1]);
    s.apply({ add: [], update: [inc(1, '2024-01-02T00:00:00Z', { status: 'resolved' })], remove: [2] });
    expect(s.size).toBe(1);
    expect(s.get(1)!.status).toBe('resolved');
  });

  it('drops stale updates and unknown removals, and tells listeners only what changed', () => {
    const s = new IncidentStore<Incident>();
    const seen: number[] = [];
    s.subscribe((d) => seen.push(d.add.length + d.update.length + d.remove.length));
    s.apply({ add: [inc(1, '2024-01-02T00:00:00Z')], update: [], remove: [] });
    const eff = s.apply({ add: [], update: [inc(1, '2024-01-01T00:00:00Z', { status: 'old' })], remove: [99] });
    expect(eff.update).toHaveLength(0);
    expect(eff.remove).toHaveLength(0);
    expect(s.get(1)!.status).toBe('reported');
    expect(seen).toEqual([1]);
  });

  it('replayed adds are harmless; merge marks nothing as live', () => {
    const s = new IncidentStore<Incident>();
    s.merge([inc(1), inc(2)]);
    expect(s.arrivedAt(1)).toBeUndefined();
    s.apply({ add: [inc(3)], update: [], remove: [] }, true);
    expect(s.arrivedAt(3)).toBeTypeOf('number');
    s.apply({ add: [inc(3)], update: [], remove: [] }, true);
    expect(s.size).toBe(3);
  });

  it('passes the live flag to listeners', () => {
    const s = new IncidentStore<Incident>();
    const flags: boolean[] = [];
    s.subscribe((_d, _s, live) => flags.push(live));
    s.merge([inc(1)]);
    s.apply({ add: [inc(2)], update: [], remove: [] });
    expect(flags).toEqual([false, true]);
  });
});
