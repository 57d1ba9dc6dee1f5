// The socket rooms a warning is shown in: those of the divisions and grid it is filed under.
import { roomForDivision, roomForGrid } from '../../core/events.js';
import type { WarningView } from '../../core/trend/contract.js';

export function roomsForWarning(w: Pick<WarningView, 'districtCode' | 'subdistrictCode' | 'communityCode' | 'gridId'>): string[] {
  const rooms: string[] = [];
  for (const code of [w.districtCode, w.subdistrictCode, w.communityCode]) if (code) rooms.push(roomForDivision(code));
  if (w.gridId != null) rooms.push(roomForGrid(w.gridId));
  return rooms;
}
