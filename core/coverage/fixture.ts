// A small hand-measured network for the coverage tests (metres on a local plane at the Bund):
//
//   y=400  W(0,400) ─────────── ·                E(300,400)
//          │                                      │
//   y=350  ├── motorway (shares both vertices, never walked) ──┤
//          │                                      │
//   y=200  W(0,200) ══ bridge (optional) ══════ E(300,200)
//          │           ~~~~ river 100..200 ~~~~   │
//   y=100  ├─ flyover from (−50,100) to (350,100): crosses W and E without a shared vertex
//          │                                      │
//   y=0    W(0,0)                                E(300,0)
//
// The flyover is a bridge: nothing connects onto it. Without the bridge the east bank is its own
// island.
import { projection, toLonLat, type RoadInput } from './graph.js';

export const PROJ = projection(121.49, 31.24);

export const ll = (x: number, y: number): [number, number] => toLonLat(PROJ, x, y);

export function riverRoads(withBridge: boolean): RoadInput[] {
  const roads: RoadInput[] = [
    { id: 1, kind: 'residential', walkable: true, coords: [ll(0, 0), ll(0, 100), ll(0, 200), ll(0, 300), ll(0, 350), ll(0, 400)] },
    { id: 2, kind: 'residential', walkable: true, coords: [ll(300, 0), ll(300, 200), ll(300, 350), ll(300, 400)] },
    { id: 3, kind: 'motorway', walkable: true, coords: [ll(0, 350), ll(300, 350)] },
    { id: 4, kind: 'primary', walkable: true, snappable: false, coords: [ll(-50, 100), ll(350, 100)] },
    { id: 5, kind: 'subway', walkable: false, coords: [ll(0, 300), ll(300, 300)] },
  ];
  if (withBridge) roads.push({ id: 6, kind: 'footway', walkable: true, snappable: false, coords: [ll(0, 200), ll(150, 200), ll(300, 200)] });
  return roads;
}
