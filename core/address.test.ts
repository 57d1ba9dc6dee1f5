import { describe, expect, it } from 'vitest';
import { addressKey, normalizeAddress, parseAddress } from './address.js';

describe('Chinese street addresses', () => {
  it('folds full-width digits and spaces, a doubled 号 and a trailing 附近', () => {
    expect(normalizeAddress('中山东一路２０号　附近')).toBe('中山东一路20号');
    expect(normalizeAddress('浦东南路 100 号号')).toBe('浦东南路100号');
  });

  it('finds the road and the house number behind administrative prefixes', () => {
    expect(parseAddress('上海市黄浦区中山东一路20号')).toEqual(
      { folded: '上海市黄浦区中山东一路20号', normal: '中山东一路20号', road: '中山东一路', number: 20, key: '中山东一路20号' });
    expect(parseAddress('浦东新区陆家嘴环路1318号3楼')).toMatchObject({ road: '陆家嘴环路', number: 1318, key: '陆家嘴环路1318号' });
    expect(parseAddress('世纪大道100号')).toMatchObject({ road: '世纪大道', number: 100 });
    expect(parseAddress('中山东一路10-12号')).toMatchObject({ road: '中山东一路', number: 10, key: '中山东一路10号' });
    expect(parseAddress('四川北路')).toMatchObject({ road: '四川北路', number: null, key: null });
  });

  it('leaves a place name without road or number as it is', () => {
    expect(parseAddress('上海中心大厦')).toEqual({ folded: '上海中心大厦', normal: '上海中心大厦', road: null, number: null, key: null });
    // 社区, 小区 and 园区 are places, not districts to strip
    expect(parseAddress('甲社区菜场门口').normal).toBe('甲社区菜场门口');
    expect(parseAddress('浦东新区金桥小区3号楼').normal).toBe('金桥小区3号楼');
    expect(parseAddress('东方明珠附近')).toMatchObject({ normal: '东方明珠', road: null });
  });

  it('gives stored OSM addresses (one string, or street + housenumber) the same key as a caller\'s', () => {
    expect(addressKey('南苏州路107号')).toBe(parseAddress('黄浦区南苏州路１０７号').key);
    expect(addressKey('银城中路', '68')).toBe('银城中路68号');
    expect(addressKey('银城中路', '68号')).toBe('银城中路68号');
    expect(addressKey(null, '68')).toBeNull();
  });
});
