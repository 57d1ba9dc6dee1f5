// CSV for exports (RFC 4180 quoting, UTF-8 BOM so spreadsheet programs read Chinese correctly).
// Cells starting with = + - @, a tab or a carriage return are prefixed with ' so a spreadsheet
// never reads them as a formula (OWASP's CSV injection list: tab and CR start formulas too).
export function toCsv(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (v: unknown): string => {
    if (v == null) return '';
    let s = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
