import { describe, expect, it } from 'vitest';
import { parseAddress } from './address.js';
import { certainCandidate, rankCandidates, type GazetteerHits } from './geocode.js';

const hits = (over: Partial<GazetteerHits> = {}): GazetteerHits => ({ onRoad: [], named: [], road: null, communities: [], ...over });
const onRoad = [
  { id: 1, name: null, address: '中山东一路20号', lon: 121.4900, lat: 31.2400 },
  { id: 2, name: '汇丰银行大楼', address: '中山东一路10-12号', lon: 121.4905, lat: 31.2380 },
  { id: 3, name: null, address: '中山东一路27号', lon: 121.4898, lat: 31.2420 },
  { id: 4, name: null, address: '中山东一路18号', lon: 121.4901, lat: 31.2395 },
];
const road = { name: '中山东一路', lon: 121.4902, lat: 31.2398 };

describe('geocoder ranking', () => {
  it('an exact house number is certain', () => {
    const r = rankCandidates(parseAddress('上海市黄浦区中山东一路２０号'), hits({ onRoad, road }));
    expect(r[0]).toMatchObject({ id: 1, precision: 'address', score: 100 });
    expect(certainCandidate(r)?.id).toBe(1);
    // the first number of a range (10-12号) is its key
    expect(rankCandidates(parseAddress('中山东一路10号'), hits({ onRoad }))[0]).toMatchObject({ id: 2, precision: 'address' });
  });

  it('a missing number falls back to the nearest on the same side, then the road — offered, not certain', () => {
    const r = rankCandidates(parseAddress('中山东一路22号'), hits({ onRoad, road }));
    expect(r.map((c) => [c.id, c.precision])).toEqual([[1, 'near_address'], [4, 'near_address'], [2, 'near_address'], [null, 'road']]);
    expect(r[0]!.score).toBeGreaterThan(r[1]!.score);
    expect(certainCandidate(r)).toBeNull();
    // 27 is on the odd side: never offered for an even number
    expect(r.some((c) => c.id === 3)).toBe(false);
  });

  it('an exact building or facility name is certain; a name inside a longer text is offered', () => {
    const named = [{ kind: 'building' as const, id: 9, name: '上海中心大厦', lon: 121.5055, lat: 31.2335 }];
    expect(certainCandidate(rankCandidates(parseAddress('上海中心大厦'), hits({ named })))?.id).toBe(9);
    const inText = rankCandidates(parseAddress('上海中心大厦门口有垃圾'), hits({ named }));
    expect(inText[0]).toMatchObject({ id: 9, precision: 'poi' });
    expect(certainCandidate(inText)).toBeNull();
  });

  it('two certain places far apart are ambiguous; two halves of one building are not', () => {
    const twoFar = [
      { kind: 'facility' as const, id: 1, name: '社区卫生服务中心', lon: 121.49, lat: 31.24 },
      { kind: 'facility' as const, id: 2, name: '社区卫生服务中心', lon: 121.51, lat: 31.23 },
    ];
    expect(certainCandidate(rankCandidates(parseAddress('社区卫生服务中心'), hits({ named: twoFar })))).toBeNull();
    const halves = [{ ...onRoad[0]! }, { ...onRoad[0]!, id: 5, lon: 121.4901 }];
    expect(certainCandidate(rankCandidates(parseAddress('中山东一路20号'), hits({ onRoad: halves })))?.precision).toBe('address');
  });

  it('a community named in the text is the last resort', () => {
    const r = rankCandidates(parseAddress('外滩社区某小区'), hits({ communities: [{ code: 'C1', name: '外滩社区', lon: 1, lat: 2 }] }));
    expect(r).toEqual([{ kind: 'community', id: 'C1', label: '外滩社区', lon: 1, lat: 2, precision: 'community', score: 30 }]);
    expect(certainCandidate(r)).toBeNull();
    expect(rankCandidates(parseAddress('火星'), hits())).toEqual([]);
  });
});
