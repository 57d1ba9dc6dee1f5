import { describe, expect, it } from 'vitest';
import { chunked, copyLine, copyText, lineWkt, pointWkt, rectWkt } from './copy.js';

describe('COPY text', () => {
  it('escapes the characters COPY treats specially and writes null as \\N', () => {
    expect(copyText('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
    expect(copyText('网格')).toBe('网格');
    expect(copyText(null)).toBe('\\N');
    expect(copyLine(['x', 1, true, false, null])).toBe('x\t1\tt\tf\t\\N\n');
  });

  it('writes geometry as EWKT in SRID 4326 with a closed ring', () => {
    expect(rectWkt({ x0: 1, y0: 2, x1: 3, y1: 4 })).toBe('SRID=4326;MULTIPOLYGON(((1 2,3 2,3 4,1 4,1 2)))');
    expect(pointWkt(112.1234567, 28.5)).toBe('SRID=4326;POINT(112.1234567 28.5)');
    expect(lineWkt([[0, 0], [1, 1]])).toBe('SRID=4326;LINESTRING(0 0,1 1)');
  });

  it('chunks lines without losing or splitting any', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `${i}\n`);
    const chunks = [...chunked(lines, 100)];
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.join('')).toBe(lines.join(''));
    expect(chunks.every((c) => c.endsWith('\n'))).toBe(true);
  });
});
