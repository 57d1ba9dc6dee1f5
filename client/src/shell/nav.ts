// The pages of the product and what a role needs to use each: the top bar and the portal offer a
// signed-in account only the pages it can open (an admin is not sent to a 报表 page that refuses it,
// a planner not to a dispatch desk). The server still checks every request; this only hides dead ends.
import { can, type Action, type Resource, type Role } from '../../../core/permissions.js';

export interface PageEntry {
  id: string;
  href: string;
  label: string;
  /** What the page needs to be of use: a permission on a resource. */
  needs: readonly [Action, Resource];
  /** When set, only these roles (with the permission) are offered the page. */
  roles?: readonly Role[];
}

export const PAGES: readonly PageEntry[] = [
  { id: 'home', href: '/', label: '首页', needs: ['read', 'map'] },
  { id: 'map', href: '/map.html', label: '二维地图', needs: ['read', 'map'] },
  { id: '3d', href: '/3d.html', label: '三维城市', needs: ['read', 'map'] },
  // The wall is a case picture (its figures need case access): not offered to a planner.
  { id: 'wall', href: '/wall', label: '指挥大屏', needs: ['read', 'incident'] },
  { id: 'dispatch', href: '/dispatch.html', label: '调度台', needs: ['read', 'incident'] },
  { id: 'mobile', href: '/mobile.html', label: '小屏办', needs: ['create', 'incident'] },
  { id: 'reports', href: '/reports.html', label: '报表', needs: ['read', 'report'] },
  { id: 'performance', href: '/performance.html', label: '绩效考核', needs: ['read', 'performance'] },
  { id: 'grids', href: '/grids', label: '网格划分', needs: ['update', 'grid_edit'] },
  { id: 'coverage', href: '/coverage', label: '15分钟生活圈', needs: ['read', 'coverage'] },
  { id: 'facilities', href: '/facilities', label: '设施编辑', needs: ['update', 'facility'] },
  { id: 'residents', href: '/residents', label: '重点人群', needs: ['read', 'resident_pii'] },
  { id: 'party', href: '/party', label: '支部台账', needs: ['read', 'party'] },
  // The service-centre desk (verification codes, voting links, 一年一事 projects): a tab of admin.html for desk staff.
  { id: 'desk', href: '/admin.html#desk', label: '服务台', needs: ['update', 'incident'], roles: ['district_center', 'subdistrict_staff', 'community_staff'] },
  { id: 'admin', href: '/admin.html', label: '管理', needs: ['read', 'account'] },
];

/**
 * The pages to offer. `role` null = not signed in (or a server without accounts): every page but
 * the admin page and the desk, whose links would only lead to a login.
 */
export function pagesFor(role: Role | null): PageEntry[] {
  if (role == null) return PAGES.filter((p) => p.id !== 'admin' && !p.roles);
  return PAGES.filter((p) => can(role, p.needs[0], p.needs[1]) && (!p.roles || p.roles.includes(role)));
}

/**
 * Whether a map page shows cases (dots, heat, the 实时事件 feed, the live badge) to this role: only
 * roles that may read them, so a planner's /map and /3d ask for nothing the server would refuse.
 * `role` null = a server without accounts (everything is shown).
 */
export function seesCases(role: Role | null): boolean {
  return role == null || can(role, 'read', 'incident');
}
