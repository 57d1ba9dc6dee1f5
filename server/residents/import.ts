// Importing the resident data pool from a CSV or .xlsx file: read the bytes into a table (here:
// encodings and exceljs), validate it (core/resident-import.ts), look up what it names in the
// database, and either preview or insert everything in one transaction. Any problem: nothing is
// inserted.
//
// The file is the raw request body (POST /api/residents/import[/preview]?kind=person), not base64
// in JSON: the app's JSON limit (MAX_BODY_BYTES, 256 KB) is kept small for every other route, and
// a 2 MB spreadsheet would be 2.7 MB as base64. So these two routes are mounted before the app's
// JSON-only rule, with their own body limit (MAX_IMPORT_BYTES).
import ExcelJS from 'exceljs';
import { maskPhone } from '../../core/permissions.js';
import {
  checkPoolRows, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, parseCsv, readPoolTable, sortErrors, type ImportRowError, type PoolKind,
  type ResolvedRow,
} from '../../core/resident-import.js';
import type { ImportPreview } from '../../core/resident-pool.js';
import type { Scope } from '../auth/scope.js';
import { mapFilter } from '../auth/scope.js';
import type { Queryable } from '../db/db.js';
import { fail, ok, type Result } from '../http/errors.js';
import { SQL } from './queries.js';

export type FileFormat = 'csv' | 'xlsx';

const isZip = (b: Buffer) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/** CSV bytes as text: UTF-8 (with or without BOM), else GB18030 (what Excel on a Chinese Windows saves). */
function decodeCsv(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

function cellText(cell: ExcelJS.Cell): string {
  const v = cell.value;
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object' && 'result' in v) return v.result === undefined || v.result === null ? '' : String(v.result);
  return cell.text ?? String(v);
}

/** The file as a table of strings (its first worksheet for .xlsx); a file that is no table is malformed_file. */
export async function readTable(bytes: Buffer): Promise<Result<{ format: FileFormat; table: string[][] }>> {
  if (bytes.length === 0) return fail('malformed_file', 'the file is empty');
  if (bytes.length > MAX_IMPORT_BYTES) return fail('payload_too_large', `a file may have at most ${MAX_IMPORT_BYTES} bytes`);
  if (isZip(bytes)) {
    const wb = new ExcelJS.Workbook();
    try {
      await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    } catch (e) {
      return fail('malformed_file', `not a readable .xlsx workbook (${e instanceof Error ? e.message.slice(0, 120) : 'unreadable'})`);
    }
    const ws = wb.worksheets[0];
    if (!ws) return fail('malformed_file', 'the workbook has no worksheet');
    if (ws.rowCount > MAX_IMPORT_ROWS + 1) return fail('payload_too_large', `at most ${MAX_IMPORT_ROWS} rows per import (the sheet has ${ws.rowCount - 1})`);
    const width = ws.columnCount;
    const table: string[][] = [];
    for (let r = 1; r <= ws.rowCount; r++) {
      const row = ws.getRow(r);
      const cells: string[] = [];
      for (let c = 1; c <= width; c++) cells.push(cellText(row.getCell(c)));
      // a spreadsheet's row is as wide as the sheet: trailing empty cells are not fields
      while (cells.length > 0 && cells[cells.length - 1] === '' && cells.length > (table[0]?.length ?? 0)) cells.pop();
      table.push(cells);
    }
    // An empty first sheet is a file with no header row, as an empty CSV is (not a file whose header lacks every column).
    if (table.every((row) => row.every((c) => c.trim() === ''))) return fail('malformed_file', 'the first worksheet is empty (only the first worksheet is read)');
    if (table[0]) { while (table[0].length > 0 && table[0][table[0].length - 1] === '') table[0].pop(); }
    const hw = table[0]?.length ?? 0;
    return ok({ format: 'xlsx', table: table.map((row, i) => (i === 0 ? row : row.length > hw && row.slice(hw).every((c) => c === '') ? row.slice(0, hw) : row)) });
  }
  if (bytes.includes(0)) return fail('malformed_file', 'a binary file, not CSV text or .xlsx');
  const parsed = parseCsv(decodeCsv(bytes));
  if (!parsed.ok) return fail('malformed_file', `not a readable CSV: ${parsed.message}`);
  if (parsed.table.length === 0) return fail('malformed_file', 'the file has no header row');
  return ok({ format: 'csv', table: parsed.table });
}

export interface Checked {
  format: FileFormat;
  rows: ResolvedRow[];
  errors: ImportRowError[];
}

/** Read, validate and resolve a file against the database and the caller's jurisdiction. */
export async function checkFile(db: Queryable, scope: Scope, kind: PoolKind, bytes: Buffer): Promise<Result<Checked>> {
  const t = await readTable(bytes);
  if (!t.ok) return t;
  const read = readPoolTable(kind, t.value.table);
  if (read.tooManyRows) return fail('payload_too_large', `at most ${MAX_IMPORT_ROWS} rows per import`);
  if (read.rows.length === 0 && read.errors.length === 0) return fail('malformed_file', 'the file has a header but no rows');
  const f = mapFilter(scope);
  const refs = [...new Set(read.rows.map((r) => r.grid).filter(Boolean))];
  const grids = refs.length === 0 ? [] : (await db.query<{ id: number; code: string; name: string; community_code: string }>(SQL.gridsByRef, [refs])).rows;
  const buildingIds = [...new Set(read.rows.map((r) => r.buildingId).filter((b): b is number => b !== null))];
  const idNumbers = read.rows.map((r) => r.idNumber).filter((x): x is string => !!x);
  const creditCodes = read.rows.map((r) => r.creditCode).filter((x): x is string => !!x);
  const [tags, buildings, ids, credits, units] = await Promise.all([
    db.query<{ code: string; name: string; applies_to: PoolKind }>(SQL.tagList),
    buildingIds.length ? db.query<{ id: number; grid_id: number | null }>(SQL.buildingsById, [buildingIds]) : Promise.resolve({ rows: [] }),
    idNumbers.length ? db.query<{ id_number: string }>(SQL.existingIdNumbers, [idNumbers]) : Promise.resolve({ rows: [] }),
    creditCodes.length ? db.query<{ credit_code: string }>(SQL.existingCreditCodes, [creditCodes]) : Promise.resolve({ rows: [] }),
    kind === 'house' && buildingIds.length ? db.query<{ k: string }>(SQL.existingUnits, [buildingIds]) : Promise.resolve({ rows: [] }),
  ]);
  const checked = checkPoolRows(kind, read.rows, {
    tags: tags.rows.map((x) => ({ code: x.code, name: x.name, appliesTo: x.applies_to })),
    grids: grids.map((g) => ({
      id: g.id, code: g.code, name: g.name,
      inScope: (f.communities === null || f.communities.includes(g.community_code)) && (f.gridId === null || f.gridId === g.id),
    })),
    buildings: new Map(buildings.rows.map((b) => [b.id, b.grid_id])),
    existingIdNumbers: new Set(ids.rows.map((x) => x.id_number)),
    existingCreditCodes: new Set(credits.rows.map((x) => x.credit_code)),
    existingUnits: new Set(units.rows.map((x) => x.k)),
  });
  return ok({ format: t.value.format, rows: checked.resolved, errors: sortErrors([...read.errors, ...checked.errors]) });
}

const SAMPLE = 20;
const MAX_ERRORS_SHOWN = 500;

export function preview(kind: PoolKind, c: Checked): ImportPreview {
  return {
    kind, format: c.format, rows: c.rows.length,
    sample: c.rows.slice(0, SAMPLE).map((r) => ({
      row: r.row, grid: r.grid, name: kind === 'firm' ? r.name : maskName(r.name), phone: r.phone ? maskPhone(r.phone) : '', tags: r.tags, unit: r.unit,
    })),
    errors: c.errors.slice(0, MAX_ERRORS_SHOWN), totalErrors: c.errors.length, ok: c.errors.length === 0,
  };
}

export const maskName = (name: string) => (name.length === 0 ? '' : name.length === 1 ? '*' : `${name[0]}${'*'.repeat(name.length - 1)}`);

/** Insert every row of a checked file (inside the caller's transaction). */
export async function insertRows(tx: Queryable, kind: PoolKind, rows: ResolvedRow[]): Promise<number[]> {
  const json = JSON.stringify(rows.map((r) => ({
    grid: r.gridId, building: r.buildingId, name: r.name, phone: r.phone, idNumber: r.idNumber, unit: r.unit,
    creditCode: r.creditCode, contactName: r.contactName, tags: r.tagCodes,
  })));
  const q = kind === 'person' ? SQL.insertPeople : kind === 'house' ? SQL.insertHouses : SQL.insertFirms;
  return (await tx.query<{ ids: number[] | null }>(q, [json])).rows[0]?.ids ?? [];
}
