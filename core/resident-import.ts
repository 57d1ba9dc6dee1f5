// Importing the resident data pool (人房企数据池) from a table: a CSV (RFC 4180, parsed here) or
// the first sheet of an .xlsx (read into rows by the server). Pure: the server reads the file,
// looks up what the rows name (grids, buildings, tags, id numbers already stored) and commits.
// Every problem is reported with its row number (the header is row 1), its column and a stable
// code, so a file is fixed in one go; one problem and nothing is imported.

export type PoolKind = 'person' | 'house' | 'firm';
export const POOL_KINDS: readonly PoolKind[] = ['person', 'house', 'firm'];

/** Largest file one import takes (bytes of the CSV or .xlsx), and most data rows. */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 5000;

export type ImportErrorCode =
  | 'missing_column' | 'missing_field' | 'wrong_field_count' | 'field_too_long'
  | 'unknown_tag' | 'tag_not_applicable' | 'unknown_grid' | 'ambiguous_grid' | 'outside_jurisdiction'
  | 'unknown_building' | 'building_outside_grid'
  | 'bad_phone' | 'bad_id_number' | 'duplicate_id_number' | 'bad_credit_code' | 'duplicate_credit_code' | 'duplicate_unit';

export interface ImportRowError {
  /** Line of the table, the header being row 1. */
  row: number;
  /** The column's key (name, phone, grid …) or null for the whole row or file. */
  column: string | null;
  code: ImportErrorCode;
  message: string;
}

/** One data row, normalised (trimmed, phone digits only, tags split) but not yet checked against the database. */
export interface PoolRow {
  row: number;
  grid: string;
  buildingId: number | null;
  tags: string[];
  /** person: 姓名; firm: 名称; house: 户主 (may be empty). */
  name: string;
  phone: string | null;
  idNumber: string | null;
  unit: string | null;
  creditCode: string | null;
  contactName: string | null;
}

type Column = 'name' | 'idNumber' | 'phone' | 'grid' | 'building' | 'tags' | 'unit' | 'creditCode' | 'contactName';

/** Accepted header spellings per column (compared trimmed, lower-case). */
const HEADERS: Record<Column, string[]> = {
  name: ['name', '姓名', '名称', '企业名称', '户主', '户主姓名'],
  idNumber: ['id_number', 'idnumber', '证件号码', '身份证号', '身份证号码', '公民身份号码'],
  phone: ['phone', 'mobile', '电话', '联系电话', '手机', '手机号'],
  grid: ['grid', '网格', '所属网格', '网格编号'],
  building: ['building', 'building_id', '楼栋', '楼栋编号'],
  tags: ['tags', '标签'],
  unit: ['unit', '房号', '门牌', '单元房号'],
  creditCode: ['credit_code', '统一社会信用代码', '信用代码'],
  contactName: ['contact', 'contact_name', '联系人'],
};

/** Columns per kind: [column, required]. For a house, `name` is the owner (户主). */
const KIND_COLUMNS: Record<PoolKind, [Column, boolean][]> = {
  person: [['name', true], ['idNumber', false], ['phone', false], ['grid', true], ['building', false], ['tags', false]],
  house: [['grid', true], ['building', false], ['unit', true], ['name', false], ['phone', false], ['tags', false]],
  firm: [['name', true], ['creditCode', false], ['grid', true], ['building', false], ['contactName', false], ['phone', false], ['tags', false]],
};

const MAX_LEN: Partial<Record<Column, number>> = { name: 100, unit: 40, contactName: 40, grid: 80 };

export type CsvResult = { ok: true; table: string[][] } | { ok: false; message: string };

/**
 * Split CSV text into rows of fields: quotes, doubled quotes, CRLF/LF/CR line ends, a leading BOM,
 * a last line with or without its line end. An unclosed quote or text after a closing quote makes
 * the file malformed (the whole file is refused, not a row).
 */
export function parseCsv(text: string): CsvResult {
  const table: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let afterQuote = false;
  let line = 1;
  let quoteLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = () => { row.push(field); field = ''; table.push(row); row = []; afterQuote = false; };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else { quoted = false; afterQuote = true; }
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === ',') {
      row.push(field); field = ''; afterQuote = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
    } else if (afterQuote) {
      return { ok: false, message: `line ${line}: text after a closing quote` };
    } else if (ch === '"') {
      if (field !== '') return { ok: false, message: `line ${line}: a quote inside an unquoted field` };
      quoted = true;
      quoteLine = line;
    } else field += ch;
  }
  if (quoted) return { ok: false, message: `line ${quoteLine}: a quoted field is not closed` };
  if (field !== '' || row.length > 0 || afterQuote) endRow();
  return { ok: true, table };
}

/** Drop rows whose every field is blank (a spreadsheet's trailing empty lines), keeping row numbers. */
function dataRows(table: string[][]): { row: number; cells: string[] }[] {
  const out: { row: number; cells: string[] }[] = [];
  for (let i = 1; i < table.length; i++) {
    const cells = table[i]!;
    if (cells.every((c) => c.trim() === '')) continue;
    out.push({ row: i + 1, cells });
  }
  return out;
}

const digitsOf = (s: string) => s.replace(/[\s-]/g, '');

/** A mainland mobile (11 digits, 1[3-9]…) or a landline with area code (0xx-xxxxxxx). Returns digits, or null if neither. */
export function normalisePhone(raw: string): string | null {
  const d = digitsOf(raw.trim()).replace(/^\+?86(?=1\d{10}$)/, '');
  if (/^1[3-9]\d{9}$/.test(d)) return d;
  if (/^0\d{2,3}\d{7,8}$/.test(d)) return d;
  return null;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** The check character of an 18-digit resident identity number (GB 11643) from its first 17 digits. */
export function idCheckChar(first17: string): string {
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[s % 11]!;
}

/** An 18-character identity number with a valid check character and a plausible birth date. */
export function validIdNumber(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const y = Number(id.slice(6, 10)), m = Number(id.slice(10, 12)), d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return false;
  return idCheckChar(id.slice(0, 17)) === id[17];
}

/** Split a tags cell: 低保、空巢老人 / dibao,veteran / 低保；独居 … */
export function splitTags(cell: string): string[] {
  return [...new Set(cell.split(/[、,，;；|/\s]+/).map((t) => t.trim()).filter(Boolean))];
}

/**
 * Read a table (first row the header) into rows of one kind. Format problems only (missing
 * columns and fields, phone and id number shapes, duplicates inside the file); what the rows
 * name is checked by checkPoolRows. `tooManyRows` is set when the table exceeds MAX_IMPORT_ROWS
 * (the caller refuses the file as a whole).
 */
export function readPoolTable(kind: PoolKind, table: string[][]): { rows: PoolRow[]; errors: ImportRowError[]; tooManyRows: boolean } {
  const errors: ImportRowError[] = [];
  const header = (table[0] ?? []).map((h) => h.trim().toLowerCase());
  const spec = KIND_COLUMNS[kind];
  const col = new Map<Column, number>();
  for (const [c, required] of spec) {
    const names = HEADERS[c];
    const at = header.findIndex((h) => names.includes(h));
    if (at >= 0) col.set(c, at);
    else if (required) errors.push({ row: 1, column: c, code: 'missing_column', message: `the header has no ${c} column (${names.join(' / ')})` });
  }
  const body = dataRows(table);
  if (body.length > MAX_IMPORT_ROWS) return { rows: [], errors, tooManyRows: true };
  if (errors.length) return { rows: [], errors, tooManyRows: false };

  const rows: PoolRow[] = [];
  const seenId = new Map<string, number>();
  const seenCredit = new Map<string, number>();
  const seenUnit = new Map<string, number>();
  for (const { row, cells } of body) {
    const rowErrors: ImportRowError[] = [];
    const err = (column: string | null, code: ImportErrorCode, message: string) => rowErrors.push({ row, column, code, message });
    if (cells.length !== header.length) err(null, 'wrong_field_count', `${cells.length} fields, the header has ${header.length}`);
    const get = (c: Column) => {
      const at = col.get(c);
      return at === undefined ? '' : (cells[at] ?? '').trim();
    };
    for (const [c, required] of spec) {
      const v = get(c);
      if (required && v === '') err(c, 'missing_field', `${c} is empty`);
      const max = MAX_LEN[c];
      if (max && v.length > max) err(c, 'field_too_long', `${c} is longer than ${max} characters`);
    }
    const phoneRaw = get('phone');
    const phone = phoneRaw === '' ? null : normalisePhone(phoneRaw);
    if (phoneRaw !== '' && phone === null) err('phone', 'bad_phone', `"${phoneRaw}" is not a mobile (11 digits) or landline number`);
    let idNumber: string | null = null;
    if (kind === 'person' && get('idNumber') !== '') {
      idNumber = get('idNumber').toUpperCase();
      if (!validIdNumber(idNumber)) err('idNumber', 'bad_id_number', 'not a valid 18-character identity number (check digit or birth date)');
      else if (seenId.has(idNumber)) err('idNumber', 'duplicate_id_number', `the same identity number as row ${seenId.get(idNumber)}`);
      else seenId.set(idNumber, row);
    }
    let creditCode: string | null = null;
    if (kind === 'firm' && get('creditCode') !== '') {
      creditCode = get('creditCode').toUpperCase();
      if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(creditCode)) err('creditCode', 'bad_credit_code', 'a unified social credit code has 18 digits or capital letters (no I, O, S, V, Z)');
      else if (seenCredit.has(creditCode)) err('creditCode', 'duplicate_credit_code', `the same credit code as row ${seenCredit.get(creditCode)}`);
      else seenCredit.set(creditCode, row);
    }
    let buildingId: number | null = null;
    const b = get('building');
    if (b !== '') {
      if (!/^\d{1,9}$/.test(b)) err('building', 'unknown_building', `"${b}" is not a building number`);
      else buildingId = Number(b);
    }
    const unit = kind === 'house' ? get('unit') : null;
    if (kind === 'house' && unit && buildingId !== null) {
      const key = `${buildingId}:${unit}`;
      if (seenUnit.has(key)) err('unit', 'duplicate_unit', `the same building and unit as row ${seenUnit.get(key)}`);
      else seenUnit.set(key, row);
    }
    errors.push(...rowErrors);
    rows.push({
      row, grid: get('grid'), buildingId, tags: splitTags(get('tags')), name: get('name'), phone, idNumber, unit, creditCode,
      contactName: kind === 'firm' ? get('contactName') || null : null,
    });
  }
  return { rows, errors, tooManyRows: false };
}

export interface TagInfo { code: string; name: string; appliesTo: PoolKind }
export interface GridInfo { id: number; code: string; name: string; inScope: boolean }

/** What the rows name, as the database knows it (the server fetches only what the rows mention). */
export interface PoolContext {
  tags: readonly TagInfo[];
  /** Grids of the district the rows name (by code or by name). */
  grids: readonly GridInfo[];
  /** Buildings the rows name: id → its grid (null when the building lies in no grid). */
  buildings: ReadonlyMap<number, number | null>;
  /** Identity numbers / credit codes / "building:unit" already stored. */
  existingIdNumbers: ReadonlySet<string>;
  existingCreditCodes: ReadonlySet<string>;
  existingUnits: ReadonlySet<string>;
}

/** A row with its references resolved: what the server inserts. */
export interface ResolvedRow extends PoolRow { gridId: number; tagCodes: string[] }

/** Check what the rows name: tags (known, for this kind), grid (known, unambiguous, in the caller's jurisdiction), building (known, in that grid), and duplicates of stored records. */
export function checkPoolRows(kind: PoolKind, rows: readonly PoolRow[], ctx: PoolContext): { resolved: ResolvedRow[]; errors: ImportRowError[] } {
  const tagBy = new Map<string, TagInfo>();
  for (const t of ctx.tags) { tagBy.set(t.code.toLowerCase(), t); tagBy.set(t.name, t); }
  const gridsBy = new Map<string, GridInfo[]>();
  for (const g of ctx.grids) {
    for (const key of new Set([g.code, g.name, String(g.id)])) gridsBy.set(key, [...(gridsBy.get(key) ?? []), g]);
  }
  const errors: ImportRowError[] = [];
  const resolved: ResolvedRow[] = [];
  for (const r of rows) {
    const err = (column: string, code: ImportErrorCode, message: string) => errors.push({ row: r.row, column, code, message });
    const tagCodes: string[] = [];
    for (const t of r.tags) {
      const tag = tagBy.get(t) ?? tagBy.get(t.toLowerCase());
      if (!tag) err('tags', 'unknown_tag', `"${t}" is not in the tag list`);
      else if (tag.appliesTo !== kind) err('tags', 'tag_not_applicable', `"${tag.name}" is a tag for ${tag.appliesTo}, not ${kind}`);
      else if (!tagCodes.includes(tag.code)) tagCodes.push(tag.code);
    }
    let gridId = 0;
    if (r.grid !== '') {
      const found = gridsBy.get(r.grid) ?? [];
      if (found.length === 0) err('grid', 'unknown_grid', `no grid "${r.grid}" (give its code or name)`);
      else if (found.length > 1) err('grid', 'ambiguous_grid', `${found.length} grids are named "${r.grid}"; give the grid code`);
      else if (!found[0]!.inScope) err('grid', 'outside_jurisdiction', `grid "${r.grid}" is outside your jurisdiction`);
      else gridId = found[0]!.id;
    }
    if (r.buildingId !== null) {
      if (!ctx.buildings.has(r.buildingId)) err('building', 'unknown_building', `no building ${r.buildingId}`);
      else if (gridId && ctx.buildings.get(r.buildingId) !== gridId) err('building', 'building_outside_grid', `building ${r.buildingId} is not in grid "${r.grid}"`);
    }
    if (r.idNumber && ctx.existingIdNumbers.has(r.idNumber)) err('idNumber', 'duplicate_id_number', 'a person with this identity number is already stored');
    if (r.creditCode && ctx.existingCreditCodes.has(r.creditCode)) err('creditCode', 'duplicate_credit_code', 'a firm with this credit code is already stored');
    if (kind === 'house' && r.unit && r.buildingId !== null && ctx.existingUnits.has(`${r.buildingId}:${r.unit}`)) {
      err('unit', 'duplicate_unit', `unit ${r.unit} of building ${r.buildingId} is already stored`);
    }
    resolved.push({ ...r, gridId, tagCodes });
  }
  return { resolved, errors };
}

/** Everything a preview shows: the rows, every problem in row order. */
export function sortErrors(errors: ImportRowError[]): ImportRowError[] {
  return [...errors].sort((a, b) => a.row - b.row || (a.column ?? '').localeCompare(b.column ?? ''));
}
