import type { MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { geometryBBox, labelPoint, pointInPolygon, ringArea } from './geo.js';

const square: Polygon = { type: 'Polygon', coordinates: [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]] };
// A "U": its centroid lies in the notch, outside the shape.
const u: Polygon = {
  type: 'Polygon',
  coordinates: [[[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]],
};

describe('geo helpers', () => {
  it('ringArea is signed (counter-clockwise positive)', () => {
    expect(ringArea(square.coordinates[0]!)).toBe(4);
    expect(ringArea([...square.coordinates[0]!].reverse())).toBe(-4);
  });

  it('pointInPolygon respects holes', () => {
    const holed: Polygon = { type: 'Polygon', coordinates: [square.coordinates[0]!, [[0.5, 0.5], [1.5, 0.5], [1.5, 1.5], [0.5, 1.5], [0.5, 0.5]]] };
    expect(pointInPolygon([0.2, 0.2], holed.coordinates)).toBe(true);
    expect(pointInPolygon([1, 1], holed.coordinates)).toBe(false);
    expect(pointInPolygon([3, 3], holed.coordinates)).toBe(false);
  });

  it('labelPoint is the centroid of a convex polygon', () => {
    expect(labelPoint(square)).toEqual([1, 1]);
  });

  it('labelPoint stays inside concave polygons', () => {
    const p = labelPoint(u)!;
    expect(pointInPolygon(p, u.coordinates)).toBe(true);
  });

  it('labelPoint uses the largest part of a MultiPolygon', () => {
    const mp: MultiPolygon = {
      type: 'MultiPolygon',
      coordinates: [[[[10, 10], [10.1, 10], [10.1, 10.1], [10, 10]]], square.coordinates],
    };
    expect(labelPoint(mp)).toEqual([1, 1]);
  });

  it('geometryBBox', () => {
    expect(geometryBBox(u)).toEqual([0, 0, 3, 3]);
  });
});
