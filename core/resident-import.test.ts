import { describe, expect, it } from 'vitest';
import {
  checkPoolRows, idCheckChar, MAX_IMPORT_ROWS, normalisePhone, parseCsv, readPoolTable, splitTags, validIdNumber, type PoolContext,
} from './resident-import.js';

const id17 = '11010819800101123';
const ID = id17 + idCheckChar(id17);
const id17b = '11010820120630004';
const ID2 = id17b + idCheckChar(id17b);

const table = (text: string) => {
  const r = parseCsv(text);
  if (!r.ok) throw new Error(r.message);
  return r.table;
};

const ctx: PoolContext = {
  tags: [
    { code: 'dibao', name: '低保', appliesTo: 'person' },
    { code: 'empty_nest_elderly', name: '空巢老人', appliesTo: 'person' },
    { code: 'rental', name: '出租屋', appliesTo: 'house' },
  ],
  grids: [
    { id: 1, code: 'T0101-01', name: '一网格', inScope: true },
    { id: 2, code: 'T0101-02', name: '二网格', inScope: true },
    { id: 3, code: 'T0102-01', name: '一网格', inScope: false },
    { id: 4, code: 'T0102-02', name: '四网格', inScope: false },
  ],
  buildings: new Map([[100, 1], [200, 2], [300, null]]),
  existingIdNumbers: new Set([ID2]),
  existingCreditCodes: new Set(),
  existingUnits: new Set(['100:1单元101']),
};

describe('parseCsv (RFC 4180)', () => {
  it('quotes, doubled quotes, CRLF, BOM, embedded line ends and a last line without its end', () => {
    expect(table('\ufeffa,b\r\n"x, y","he said ""hi"""\n"multi\nline",2')).toEqual([['a', 'b'], ['x, y', 'he said "hi"'], ['multi\nline', '2']]);
    expect(table('a,b\n1,\n')).toEqual([['a', 'b'], ['1', '']]);
  });
  it('an unclosed quote or stray quote makes the file malformed', () => {
    expect(parseCsv('a,b\n"x,1\n')).toEqual({ ok: false, message: 'line 2: a quoted field is not closed' });
    expect(parseCsv('a,b\n"x"y,1\n').ok).toBe(false);
    expect(parseCsv('a,b\nx"y,1\n').ok).toBe(false);
  });
});

describe('field rules', () => {
  it('phones: mobiles and landlines, digits only', () => {
    expect(normalisePhone('138-1234 5678')).toBe('13812345678');
    expect(normalisePhone('+8613812345678')).toBe('13812345678');
    expect(normalisePhone('010-62345678')).toBe('01062345678');
    expect(normalisePhone('12812345678')).toBeNull();
    expect(normalisePhone('1381234567')).toBeNull();
  });
  it('identity numbers: check character and birth date', () => {
    expect(validIdNumber(ID)).toBe(true);
    expect(validIdNumber(id17 + (ID.endsWith('0') ? '1' : '0'))).toBe(false);
    const badDate = '11010819801301123';
    expect(validIdNumber(badDate + idCheckChar(badDate))).toBe(false);
    expect(idCheckChar('11010519491231002')).toBe('X'); // the GB 11643 example
  });
  it('tags split on 、 , ; and spaces, without repeats', () => {
    expect(splitTags('低保、空巢老人，低保; dibao')).toEqual(['低保', '空巢老人', 'dibao']);
    expect(splitTags('  ')).toEqual([]);
  });
});

describe('readPoolTable + checkPoolRows', () => {
  it('a clean person file resolves grids by code or name and tags by name or code', () => {
    const t = table(`姓名,身份证号,电话,网格,楼栋编号,标签\n张三,${ID},13812345678,T0101-01,100,低保、空巢老人\n李四,,,二网格,,dibao\n`);
    const read = readPoolTable('person', t);
    expect(read.errors).toEqual([]);
    const { resolved, errors } = checkPoolRows('person', read.rows, ctx);
    expect(errors).toEqual([]);
    expect(resolved.map((r) => [r.row, r.gridId, r.tagCodes, r.phone, r.idNumber])).toEqual([
      [2, 1, ['dibao', 'empty_nest_elderly'], '13812345678', ID], [3, 2, ['dibao'], null, null],
    ]);
  });
  it('every problem with its row, column and code', () => {
    const t = table([
      '姓名,身份证号,电话,网格,楼栋编号,标签',
      `王五,${ID},1381234,T0101-01,100,低保`, // 2 bad phone
      `赵六,${ID},,T0101-01,200,残疾`, // 3 duplicate id in file, building of another grid, unknown tag
      ',,,T0101-01,,', // 4 missing name
      '孙七,,,九网格,,出租屋', // 5 unknown grid, house tag on a person
      '周八,,,一网格,,', // 6 ambiguous grid name
      '吴九,,,T0102-02,999,', // 7 outside jurisdiction, unknown building
      `郑十,${ID2},,T0101-01,,`, // 8 id already stored
      '钱一,123,,T0101-01,,', // 9 bad id number
      '陈二,,,T0101-01', // 10 wrong field count
    ].join('\n'));
    const read = readPoolTable('person', t);
    const checked = checkPoolRows('person', read.rows, ctx);
    const all = [...read.errors, ...checked.errors].map((e) => `${e.row}:${e.column}:${e.code}`).sort();
    expect(all).toEqual([
      '10:null:wrong_field_count',
      '2:phone:bad_phone',
      '3:building:building_outside_grid', '3:idNumber:duplicate_id_number', '3:tags:unknown_tag',
      '4:name:missing_field',
      '5:grid:unknown_grid', '5:tags:tag_not_applicable',
      '6:grid:ambiguous_grid',
      '7:building:unknown_building', '7:grid:outside_jurisdiction',
      '8:idNumber:duplicate_id_number',
      '9:idNumber:bad_id_number',
    ].sort());
  });
  it('a missing required column is one header error and no rows', () => {
    const read = readPoolTable('house', table('网格,户主\nT0101-01,张三\n'));
    expect(read.rows).toEqual([]);
    expect(read.errors).toEqual([expect.objectContaining({ row: 1, column: 'unit', code: 'missing_column' })]);
  });
  it('houses: duplicate units in the file and already stored; firms: credit codes', () => {
    const h = readPoolTable('house', table('网格,楼栋编号,房号,标签\nT0101-01,100,1单元101,出租屋\nT0101-01,100,1单元102,出租屋\nT0101-01,100,1单元102,\n'));
    const hc = checkPoolRows('house', h.rows, ctx);
    expect([...h.errors, ...hc.errors].map((e) => `${e.row}:${e.code}`)).toEqual(['4:duplicate_unit', '2:duplicate_unit']);
    expect(hc.resolved[1]!.tagCodes).toEqual(['rental']);
    const f = readPoolTable('firm', table('名称,统一社会信用代码,网格\n甲公司,91110108MA01ABCD1X,T0101-01\n乙公司,91110108MA01ABCD1X,T0101-01\n丙公司,9111010IOU,T0101-01\n'));
    expect(f.errors.map((e) => `${e.row}:${e.code}`)).toEqual(['3:duplicate_credit_code', '4:bad_credit_code']);
  });
  it('blank trailing rows are ignored; more than the limit is refused as a whole', () => {
    expect(readPoolTable('person', table('姓名,网格\n张三,T0101-01\n,\n\n')).rows).toHaveLength(1);
    const big = ['姓名,网格', ...Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `人${i},T0101-01`)].join('\n');
    const r = readPoolTable('person', table(big));
    expect(r.tooManyRows).toBe(true);
    expect(r.rows).toEqual([]);
  });
});
