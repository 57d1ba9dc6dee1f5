import type { MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { geometryBBox, labelPoint, pointInGeometry, pointInPolygon, ringArea } from './geo.js';

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

  it('pointInGeometry finds a point in any part of a MultiPolygon, never in a hole', () => {
    const holed: Polygon = { type: 'Polygon', coordinates: [square.coordinates[0]!, [[0.5, 0.5], [1.5, 0.5], [1.5, 1.5], [0.5, 1.5], [0.5, 0.5]]] };
    const far: Polygon['coordinates'] = [[[10, 10], [11, 10], [11, 11], [10, 11], [10, 10]]];
    const multi = { type: 'MultiPolygon' as const, coordinates: [holed.coordinates, far] };
    expect(pointInGeometry([0.2, 0.2], holed)).toBe(true);
    expect(pointInGeometry([1, 1], holed)).toBe(false);
    expect(pointInGeometry([10.5, 10.5], multi)).toBe(true);
    expect(pointInGeometry([1, 1], multi)).toBe(false);
    expect(pointInGeometry([5, 5], multi)).toBe(false);
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
