// Who a trend warning may be assigned to: an account whose jurisdiction covers the warning's place.
// A warning is filed under a community (with its subdistrict and district) and, for the grid kinds
// (repeated cases at one place, a grid's on-time rate), a grid. An account bound to a division covers
// the warnings filed under it; an account bound to a grid covers that grid's warnings and the
// community-wide warnings of its community (a category rising there is its business too), never
// another grid's. An account with no binding (a district role when there is one district) covers
// everything. Pure: the server reads the account's binding and the warning, and refuses otherwise.

export interface WarningPlace {
  gridId: number | null;
  communityCode: string | null;
  subdistrictCode: string | null;
  districtCode: string | null;
}

export interface AssigneeBinding {
  /** The account's division (district, subdistrict or community), if bound to one. */
  divisionCode: string | null;
  /** The account's grid, if bound to one, and that grid's community. */
  gridId: number | null;
  gridCommunityCode: string | null;
}

export function assigneeCovers(w: WarningPlace, a: AssigneeBinding): boolean {
  if (a.gridId != null) {
    if (w.gridId != null) return w.gridId === a.gridId;
    return w.communityCode != null && w.communityCode === a.gridCommunityCode;
  }
  if (a.divisionCode != null) {
    return [w.communityCode, w.subdistrictCode, w.districtCode].some((c) => c != null && c === a.divisionCode);
  }
  return true;
}
