// The wall's data preparation (pure; measured by core/wall-prep.bench.ts, run in Node by
// scripts/bench.ts). Heat map as an image draped on the 3D ground: cases are binned into a lon/lat grid (one pass),
// blurred with a separable Gaussian (cost independent of the number of cases), and coloured
// through a 256-entry lookup table into RGBA. Pure and allocation-free per frame (buffers are
// reused), so a day replayed at speed or a million cases stay cheap. Renders the same in any WebGL.
import type { BBox } from './bbox.js';

export interface HeatGrid {
  bbox: BBox;
  width: number;
  height: number;
  /** Cell size in metres (x and y are equal on the ground). */
  cellM: number;
}

const M_PER_DEG_LAT = 110_574;
const mPerDegLon = (lat: number) => 111_320 * Math.cos((lat * Math.PI) / 180);

/** A grid over `bbox` (padded by `padM` metres) with at most `maxCells` cells along the longer side. */
export function heatGridFor(bbox: BBox, maxCells = 512, padM = 250): HeatGrid {
  const lat = (bbox[1] + bbox[3]) / 2;
  const kx = mPerDegLon(lat);
  const padX = padM / kx;
  const padY = padM / M_PER_DEG_LAT;
  const b: BBox = [bbox[0] - padX, bbox[1] - padY, bbox[2] + padX, bbox[3] + padY];
  const wM = (b[2] - b[0]) * kx;
  const hM = (b[3] - b[1]) * M_PER_DEG_LAT;
  const cellM = Math.max(wM, hM) / maxCells;
  const width = Math.max(1, Math.round(wM / cellM));
  const height = Math.max(1, Math.round(hM / cellM));
  // Snap the bbox to whole cells so the image is not stretched.
  return { bbox: [b[0], b[1], b[0] + (width * cellM) / kx, b[1] + (height * cellM) / M_PER_DEG_LAT], width, height, cellM };
}

/** Columns of cases (typed arrays or plain arrays); `n` rows are used. */
export interface HeatInput {
  n: number;
  lon: ArrayLike<number>;
  lat: ArrayLike<number>;
  /** Per-case weight (default 1). */
  weight?: ArrayLike<number>;
  /** Keep rows i with keep(i) true (time window, open only …). */
  keep?: (i: number) => boolean;
}

/** Adds one unit per case (or its weight) to its cell; row 0 is the north edge. Returns the cases counted. */
export function binInto(grid: HeatGrid, input: HeatInput, out: Float32Array): number {
  const [x0, y0, x1, y1] = grid.bbox;
  const sx = grid.width / (x1 - x0);
  const sy = grid.height / (y1 - y0);
  const { lon, lat, weight, keep } = input;
  let counted = 0;
  for (let i = 0; i < input.n; i++) {
    if (keep && !keep(i)) continue;
    const cx = Math.floor((lon[i]! - x0) * sx);
    const cy = Math.floor((y1 - lat[i]!) * sy);
    if (cx < 0 || cy < 0 || cx >= grid.width || cy >= grid.height) continue;
    out[cy * grid.width + cx]! += weight ? weight[i]! : 1;
    counted++;
  }
  return counted;
}

/** Normalised 1D Gaussian kernel with radius ceil(3σ). */
export function gaussianKernel(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(sigma * 3));
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) {
    const v = Math.exp(-(i * i) / (2 * sigma * sigma));
    k[i + r] = v;
    sum += v;
  }
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  return k;
}

/**
 * Separable blur of `src` (w × h) into `dst`, using `tmp` as scratch (all of length w·h). Edges
 * clamp to zero. Both passes scatter from non-empty cells and rows along contiguous memory, so a
 * sparse field (a quiet hour) costs next to nothing and a dense one stays cache-friendly.
 */
export function blur(src: Float32Array, dst: Float32Array, tmp: Float32Array, w: number, h: number, kernel: Float32Array): void {
  const r = (kernel.length - 1) >> 1;
  tmp.fill(0);
  dst.fill(0);
  // Horizontal: each non-zero cell adds the kernel to its row; remember each row's extent.
  const rowMin = new Int32Array(h).fill(w);
  const rowMax = new Int32Array(h).fill(-1);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const v = src[row + x]!;
      if (v === 0) continue;
      const a = x - r < 0 ? r - x : 0;
      const b = x + r >= w ? r + (w - 1 - x) : 2 * r;
      const base = row + x - r;
      for (let k = a; k <= b; k++) tmp[base + k]! += v * kernel[k]!;
      if (x - r < rowMin[y]!) rowMin[y] = Math.max(0, x - r);
      if (x + r > rowMax[y]!) rowMax[y] = Math.min(w - 1, x + r);
    }
  }
  // Vertical: each non-empty row adds itself, weighted, to the rows around it.
  for (let y = 0; y < h; y++) {
    const x0 = rowMin[y]!;
    const x1 = rowMax[y]!;
    if (x1 < x0) continue;
    const src0 = y * w;
    const a = y - r < 0 ? r - y : 0;
    const b = y + r >= h ? r + (h - 1 - y) : 2 * r;
    for (let k = a; k <= b; k++) {
      const kv = kernel[k]!;
      const out = (y - r + k) * w;
      for (let x = x0; x <= x1; x++) dst[out + x]! += tmp[src0 + x]! * kv;
    }
  }
}

/** [position 0..1, r, g, b, alpha 0..1]: transparent → cool cyan → amber → red → near white. */
export const HEAT_STOPS: readonly [number, number, number, number, number][] = [
  [0.0, 0, 120, 255, 0],
  [0.15, 0, 160, 255, 0.22],
  [0.35, 30, 215, 210, 0.45],
  [0.55, 250, 215, 70, 0.66],
  [0.75, 255, 135, 40, 0.8],
  [0.9, 240, 45, 55, 0.88],
  [1.0, 255, 230, 220, 0.93],
];

/** 256 RGBA entries (premultiplied: no; straight alpha) for values 0..1. */
export function heatLut(stops = HEAT_STOPS): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const v = i / 255;
    let j = 1;
    while (j < stops.length - 1 && v > stops[j]![0]) j++;
    const [p0, r0, g0, b0, a0] = stops[j - 1]!;
    const [p1, r1, g1, b1, a1] = stops[j]!;
    const t = p1 === p0 ? 0 : Math.min(1, Math.max(0, (v - p0) / (p1 - p0)));
    lut[i * 4] = r0 + (r1 - r0) * t;
    lut[i * 4 + 1] = g0 + (g1 - g0) * t;
    lut[i * 4 + 2] = b0 + (b1 - b0) * t;
    lut[i * 4 + 3] = 255 * (a0 + (a1 - a0) * t);
  }
  return lut;
}

/** Largest value of a field. */
export function maxOf(a: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i]! > m) m = a[i]!;
  return m;
}

/**
 * Colour a field: value / scale through the LUT with a gamma of 0.7 (so single cases stay visible
 * next to a hotspot). Values below `floor` of the scale stay fully transparent.
 */
export function colorize(field: Float32Array, scale: number, lut: Uint8ClampedArray, out: Uint8ClampedArray, floor = 0.04): void {
  const inv = scale > 0 ? 1 / scale : 0;
  for (let i = 0, o = 0; i < field.length; i++, o += 4) {
    const v = field[i]! * inv;
    if (v <= floor) {
      out[o + 3] = 0;
      continue;
    }
    const k = GAMMA[Math.min(1023, (v * 1023) | 0)]! * 4;
    out[o] = lut[k]!;
    out[o + 1] = lut[k + 1]!;
    out[o + 2] = lut[k + 2]!;
    out[o + 3] = lut[k + 3]!;
  }
}

/** v^0.7 for v in [0, 1], as LUT indexes 0..255 (1024 steps). */
const GAMMA = (() => {
  const t = new Uint8Array(1024);
  for (let i = 0; i < 1024; i++) t[i] = Math.round((i / 1023) ** 0.7 * 255);
  return t;
})();

/** Reusable buffers for one grid: bin → blur → colour. */
export class HeatRenderer {
  readonly counts: Float32Array;
  readonly field: Float32Array;
  readonly rgba: Uint8ClampedArray;
  private readonly tmp: Float32Array;
  private kernel: Float32Array;
  private sigmaM: number;
  private readonly lut = heatLut();
  /** Scale kept between frames (decays slowly) so colours do not flicker as the window moves. */
  private scale = 0;

  constructor(readonly grid: HeatGrid, opts: { sigmaM?: number } = {}) {
    const n = grid.width * grid.height;
    this.counts = new Float32Array(n);
    this.field = new Float32Array(n);
    this.tmp = new Float32Array(n);
    this.rgba = new Uint8ClampedArray(n * 4);
    this.sigmaM = opts.sigmaM ?? 45;
    this.kernel = gaussianKernel(this.sigmaM / grid.cellM);
  }

  setSigma(sigmaM: number): void {
    if (sigmaM === this.sigmaM) return;
    this.sigmaM = sigmaM;
    this.kernel = gaussianKernel(sigmaM / this.grid.cellM);
  }

  /**
   * Render the cases into `rgba`. `minScale`: the value that counts as "hot" at least (one case's
   * peak times this factor), so a handful of cases never looks like a crisis.
   */
  render(input: HeatInput, opts: { minCasesForFull?: number; smooth?: boolean } = {}): { counted: number; scale: number } {
    this.counts.fill(0);
    const counted = binInto(this.grid, input, this.counts);
    blur(this.counts, this.field, this.tmp, this.grid.width, this.grid.height, this.kernel);
    // One case's peak after blurring is the kernel's centre squared.
    const r = (this.kernel.length - 1) >> 1;
    const onePeak = this.kernel[r]! * this.kernel[r]!;
    const target = Math.max(maxOf(this.field), onePeak * (opts.minCasesForFull ?? 4));
    this.scale = opts.smooth && this.scale > 0 ? Math.max(target, this.scale * 0.9) : target;
    colorize(this.field, this.scale, this.lut, this.rgba);
    return { counted, scale: this.scale };
  }
}

/**
 * Thresholds for counts: zero is its own class, then up to `n` classes over the non-zero values
 * at their quantiles, rounded to whole numbers (or `step`), strictly ascending.
 */
export function countBreaks(values: readonly number[], n = 4, step = 1): number[] {
  const v = values.filter((x) => Number.isFinite(x) && x > 0).sort((a, b) => a - b);
  if (v.length === 0) return [];
  const out: number[] = [];
  const first = step >= 1 ? 1 : Math.max(step, Math.round(v[0]! / step) * step);
  out.push(first);
  for (let i = 1; i < n; i++) {
    const q = v[Math.min(v.length - 1, Math.floor((i / n) * v.length))]!;
    const r = Math.max(step, Math.round(q / step) * step);
    if (r > out[out.length - 1]! && r <= v[v.length - 1]!) out.push(r);
  }
  return out;
}
