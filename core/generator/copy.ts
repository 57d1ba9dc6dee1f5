// PostgreSQL COPY text format, and the geometry text (EWKT) the rows carry. Pure.

/** A text field for COPY: backslash, tab, newline and carriage return escaped; null as \N. */
export function copyText(v: string | null): string {
  if (v === null) return '\\N';
  return /[\\\t\n\r]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : v;
}

/** One COPY line (tab-separated, newline-terminated); values already formatted (use copyText for free text). */
export const copyLine = (fields: readonly (string | number | boolean | null)[]): string =>
  `${fields.map((f) => (f === null ? '\\N' : typeof f === 'boolean' ? (f ? 't' : 'f') : String(f))).join('\t')}\n`;

export interface RectLike { x0: number; y0: number; x1: number; y1: number }

/** A rectangle as an EWKT MultiPolygon (counter-clockwise exterior ring). */
export const rectWkt = (r: RectLike): string =>
  `SRID=4326;MULTIPOLYGON(((${r.x0} ${r.y0},${r.x1} ${r.y0},${r.x1} ${r.y1},${r.x0} ${r.y1},${r.x0} ${r.y0})))`;

export const pointWkt = (x: number, y: number): string => `SRID=4326;POINT(${x} ${y})`;

export const lineWkt = (pts: readonly (readonly [number, number])[]): string =>
  `SRID=4326;LINESTRING(${pts.map(([x, y]) => `${x} ${y}`).join(',')})`;

/**
 * Join lines into chunks of about `size` characters, so a million rows never become one string
 * and a COPY stream is fed in pieces.
 */
export function* chunked(lines: Iterable<string>, size = 1 << 20): Generator<string> {
  let buf: string[] = [];
  let len = 0;
  for (const l of lines) {
    buf.push(l);
    len += l.length;
    if (len >= size) {
      yield buf.join('');
      buf = [];
      len = 0;
    }
  }
  if (buf.length) yield buf.join('');
}
