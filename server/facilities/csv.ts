// Reading a facility CSV (the editor's import): RFC 4180 fields, a header naming the columns (English
// or Chinese), one facility per row. Pure: the routes place the rows in the district afterwards.
// Every problem is reported per row and field, so a file is fixed in one go; nothing is saved
// when any row is bad.

/** Most rows one import takes (a larger file is refused as payload_too_large). */
export const MAX_IMPORT_ROWS = 2000;

/** Split CSV text into rows of fields (quotes, doubled quotes, CRLF/LF, a leading BOM). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field === '') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field); field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      rows.push(row); row = [];
    } else field += ch;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

export type CsvErrorCode =
  | 'missing_column' | 'missing_field' | 'invalid_coordinates' | 'unknown_service_class' | 'name_too_long'
  | 'wrong_field_count' | 'unclosed_quote' | 'outside_district' | 'outside_jurisdiction';

/** One problem: `row` is the line number in the file (the header is row 1). */
export interface CsvRowError {
  row: number;
  field: string | null;
  code: CsvErrorCode;
  message: string;
}

export interface CsvFacility {
  row: number;
  name: string;
  serviceClass: string;
  lon: number;
  lat: number;
}

const COLUMNS: Record<'name' | 'class' | 'lon' | 'lat', string[]> = {
  name: ['name', '名称', '设施名称'],
  class: ['class', 'serviceclass', 'service_class', '类别', '服务类别', '设施类别'],
  lon: ['lon', 'lng', 'longitude', 'x', '经度'],
  lat: ['lat', 'latitude', 'y', '纬度'],
};

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * Read the rows of a facility CSV. `classes` maps every accepted class spelling (code and zh-CN
 * name) to its code. Coordinates are checked for being numbers in degrees, not yet placed.
 */
export function readFacilityCsv(text: string, classes: ReadonlyMap<string, string>): { rows: CsvFacility[]; errors: CsvRowError[] } {
  const errors: CsvRowError[] = [];
  if ((text.split('"').length - 1) % 2 === 1) {
    return { rows: [], errors: [{ row: 1, field: null, code: 'unclosed_quote', message: 'a quoted field is not closed' }] };
  }
  const table = parseCsv(text);
  const header = (table[0] ?? []).map((h) => h.trim().toLowerCase());
  const col = {} as Record<keyof typeof COLUMNS, number>;
  for (const [key, names] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, string[]][]) {
    col[key] = header.findIndex((h) => names.includes(h));
    if (col[key] < 0) errors.push({ row: 1, field: key, code: 'missing_column', message: `the header has no ${key} column (${names.join(' / ')})` });
  }
  if (errors.length) return { rows: [], errors };
  const rows: CsvFacility[] = [];
  table.slice(1).forEach((cells, k) => {
    const row = k + 2;
    if (cells.every((c) => c.trim() === '')) return; // blank line
    const before = errors.length;
    if (cells.length !== header.length) {
      errors.push({ row, field: null, code: 'wrong_field_count', message: `${cells.length} fields, the header has ${header.length}` });
      return;
    }
    const get = (key: keyof typeof COLUMNS) => cells[col[key]]!.trim();
    const name = get('name');
    if (!name) errors.push({ row, field: 'name', code: 'missing_field', message: 'name is empty' });
    else if (name.length > 100) errors.push({ row, field: 'name', code: 'name_too_long', message: 'name is longer than 100 characters' });
    const cls = get('class');
    const code = classes.get(cls) ?? classes.get(cls.toLowerCase());
    if (!cls) errors.push({ row, field: 'class', code: 'missing_field', message: 'class is empty' });
    else if (!code) errors.push({ row, field: 'class', code: 'unknown_service_class', message: `unknown service class ${cls.slice(0, 40)}` });
    const num = (key: 'lon' | 'lat', max: number) => {
      const s = get(key);
      if (!NUMBER.test(s)) { errors.push({ row, field: key, code: s ? 'invalid_coordinates' : 'missing_field', message: `${key} ${s ? 'is not a number' : 'is empty'}` }); return NaN; }
      const v = Number(s);
      if (!Number.isFinite(v) || Math.abs(v) > max) { errors.push({ row, field: key, code: 'invalid_coordinates', message: `${key} ${s.slice(0, 20)} is not in degrees` }); return NaN; }
      return v;
    };
    const lon = num('lon', 180);
    const lat = num('lat', 90);
    if (errors.length === before) rows.push({ row, name, serviceClass: code!, lon, lat });
  });
  return { rows, errors };
}
