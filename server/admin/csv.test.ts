// CSV exports (audit log, case reports) never hand a spreadsheet a cell it would run as a formula.
import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.js';

const one = (v: unknown) => toCsv([{ v }], ['v']).slice(1).split('\r\n')[1];

describe('toCsv', () => {
  it('prefixes cells starting with = + - @ tab or carriage return with a quote', () => {
    expect(one('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(one('+1')).toBe(`'+1`);
    expect(one('-2+3')).toBe(`'-2+3`);
    expect(one('@SUM(A1)')).toBe(`'@SUM(A1)`);
    expect(one('\t=1+1')).toBe(`'\t=1+1`);
    expect(one('\r=1+1')).toBe(`"'\r=1+1"`);
  });

  it('leaves ordinary cells alone and quotes separators', () => {
    expect(one('占道停车')).toBe('占道停车');
    expect(one('a,b')).toBe('"a,b"');
    expect(one('1\t2')).toBe('1\t2');
    expect(one(null)).toBe('');
    expect(toCsv([], ['a', 'b'])).toBe('\uFEFFa,b\r\n');
  });
});
