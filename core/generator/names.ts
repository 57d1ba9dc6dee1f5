// Chinese place and person names for the synthetic city, drawn from fixed pools by index and seed.
// Pure and deterministic; every name is invented (the city is labelled 合成 wherever it is shown).
import { rng } from '../random.js';

const PLACE = [...'青云华锦安和新平东南西北金玉长明兴泰丰瑞康宁德文春秋湖江山河松柏桂兰星月阳光福寿嘉盛'];
const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞燕琳婷雪晨宇浩然欣怡'];

function shuffled<T>(xs: readonly T[], rand: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export interface NamePools {
  city(): string;
  district(i: number): string;
  subdistrict(i: number): string;
  community(i: number): string;
  street(i: number): string;
  person(i: number): string;
}

export function names(seed: number): NamePools {
  const rand = rng(seed ^ 0x4e414d45);
  const p1 = shuffled(PLACE, rand);
  const p2 = shuffled(PLACE, rand);
  const sur = shuffled(SURNAMES, rand);
  const giv = shuffled(GIVEN, rand);
  const n = PLACE.length;
  /** Two characters, distinct for i < n² (the second walks faster so neighbours differ in both). */
  const two = (i: number, salt: number) => {
    const k = (i * 7 + salt) % (n * n);
    const a = p1[Math.floor(k / n)]!;
    const b = p2[k % n]!;
    return a === b ? `${a}${p2[(k + 1) % n]}` : `${a}${b}`;
  };
  return {
    city: () => `${two(seed % (n * n), 3)}市（合成）`,
    district: (i) => `${two(i, 11)}区`,
    subdistrict: (i) => `${two(i, 101)}街道`,
    community: (i) => `${two(i, 503)}社区`,
    street: (i) => `${two(i, 907)}${['路', '街', '大道', '巷'][i % 4]}`,
    person: (i) => {
      const m = sur.length;
      const g = giv.length;
      const name = `${sur[i % m]}${giv[Math.floor(i / m) % g]}`;
      return i % 3 === 0 ? `${name}${giv[Math.floor(i / (m * g) + i) % g]}` : name;
    },
  };
}
