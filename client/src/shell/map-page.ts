// The opening both map pages (/map and /3d) share: the district and the signed-in account, the
// district in the header, and the case panels shown only to roles that may read cases (the server
// would refuse the list and the socket), with the synthetic-data badges the district calls for.
import { api, type Account, type DistrictInfoEx } from '../api/http.js';
import type { Role } from '../../../core/permissions.js';
import { $ } from './dom.js';
import type { HeaderHandle } from './header.js';
import { seesCases } from './nav.js';

export interface MapPageStart {
  district: DistrictInfoEx;
  account: Account | null;
  /** The role may read cases: case layers, the live feed and the case figures are shown. */
  showCases: boolean;
}

export async function openMapPage(header: HeaderHandle): Promise<MapPageStart> {
  const [district, account] = await Promise.all([api.district(), header.account]);
  header.setDistrict(district);
  const showCases = seesCases(account ? (account.role as Role) : null);
  document.body.dataset.cases = String(showCases);
  $('#feed-panel').hidden = !showCases;
  $('#case-legend-section').hidden = !showCases;
  $('#sum-inc').parentElement!.hidden = !showCases;
  $('#district-name').textContent = district.name;
  const syn = district.synthetic ?? { grids: true, households: true, incidents: true, divisions: true };
  $('#district-synthetic').hidden = !(syn.grids || syn.households);
  $('#feed-synthetic').hidden = !syn.incidents;
  return { district, account, showCases };
}
