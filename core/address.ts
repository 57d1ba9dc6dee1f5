// Chinese street addresses as callers and OSM give them ("上海市黄浦区中山东一路２０号",
// "浦东南路100号号", "陆家嘴环路 1318 号 3 楼"): one normal form to compare, and the road and house
// number when there are any. Pure: the geocoder (server/geocode) matches the result against the
// district's own buildings, facilities, roads and communities.

/**
 * Administrative prefixes a caller often says first; they never narrow a match inside one district.
 * A 区 after 社/小/园/校/景/街/… (社区, 小区, 园区) is a place, not a district.
 */
const ADMIN_PREFIX = /^(?:中华人民共和国|中国)?(?:[\u4e00-\u9fa5]{2,7}?(?:省|自治区))?(?:[\u4e00-\u9fa5]{2,7}?市)?(?:[\u4e00-\u9fa5]{1,6}?(?:新区|(?<![社小园校景街营厂矿])区|县))?(?:[\u4e00-\u9fa5]{2,8}?(?:街道|镇|乡))?/;
/** Road-like endings: 路, 街, 大道, 巷, 弄, 里, 道, 公路, 环路 (as in 陆家嘴环路), 胡同. */
const ROAD = /^(.+?(?:大道|公路|环路|胡同|路|街|巷|里|道))/;
/** A house number after the road: 20号, 10-12号, 100弄, 1318. */
const NUMBER = /^(\d{1,5})(?:[-－—~](\d{1,5}))?(?:号|弄)?/;

export interface ParsedAddress {
  /** The whole text folded (width, spaces, 号号, 附近), prefixes kept: for names that include them. */
  folded: string;
  /** Width-folded (NFKC), without spaces, the administrative prefix, a doubled 号 or a trailing 附近. */
  normal: string;
  /** The road name, when the address starts with one. */
  road: string | null;
  /** The (first) house number on that road. */
  number: number | null;
  /** `road` + `number` + 号, the form building addresses are compared in. */
  key: string | null;
}

/** Fold width and spacing, and drop what never helps a match. */
export function normalizeAddress(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\s\u3000]+/g, '')
    .replace(/号+/g, '号')
    .replace(/(附近|周边|一带|旁边?|对面)$/, '');
}

export function parseAddress(text: string): ParsedAddress {
  const folded = normalizeAddress(text);
  const stripped = folded.replace(ADMIN_PREFIX, '');
  const normal = stripped.length >= 2 ? stripped : folded;
  const road = ROAD.exec(normal)?.[1] ?? null;
  const rest = road ? normal.slice(road.length) : '';
  const num = road ? NUMBER.exec(rest) : null;
  const number = num ? Number(num[1]) : null;
  return { folded, normal, road, number, key: road && number !== null ? `${road}${number}号` : null };
}

/**
 * The comparable key of a stored address ("中山东一路10-12号" → 中山东一路10号; an OSM
 * addr:street + addr:housenumber pair the same way), or null when it has no road and number.
 */
export function addressKey(street: string | null | undefined, housenumber?: string | null): string | null {
  if (!street) return null;
  return parseAddress(housenumber ? `${street}${housenumber}` : street).key;
}
