import { describe, expect, it } from 'vitest';
import { can } from '../../../core/permissions.js';
import { PAGES, pagesFor, seesCases } from './nav.js';

const ids = (role: Parameters<typeof pagesFor>[0]) => pagesFor(role).map((p) => p.id);

describe('pagesFor (the pages a role is offered)', () => {
  it('offers a signed-out visitor every page but administration', () => {
    expect(ids(null)).toEqual(PAGES.map((p) => p.id).filter((id) => id !== 'admin' && id !== 'desk'));
  });
  it('does not send an admin to the statistics page the server refuses it', () => {
    expect(can('admin', 'read', 'report')).toBe(false);
    expect(ids('admin')).toContain('admin');
    expect(ids('admin')).not.toContain('reports');
    expect(ids('admin')).not.toContain('mobile');
  });
  it('gives a grid worker the phone page and the desk but not reports or administration', () => {
    expect(ids('grid_worker')).toEqual(['home', 'map', '3d', 'wall', 'dispatch', 'mobile', 'residents', 'party']);
  });
  it('gives a planner maps and the 15-minute life circle, no case pages (not the wall either)', () => {
    expect(ids('planner')).toEqual(['home', 'map', '3d', 'coverage', 'facilities']);
    expect(seesCases('planner')).toBe(false);
    expect(seesCases('kiosk')).toBe(true);
    expect(seesCases(null)).toBe(true);
  });
  it('gives a department its desk only, and a district leader the reports but not the phone page', () => {
    expect(ids('department')).toEqual(['home', 'map', '3d', 'wall', 'dispatch']);
    expect(ids('district_leader')).toEqual(['home', 'map', '3d', 'wall', 'dispatch', 'reports', 'performance', 'coverage', 'residents', 'party']);
    expect(ids('community_staff')).toEqual(['home', 'map', '3d', 'wall', 'dispatch', 'mobile', 'reports', 'performance', 'coverage', 'residents', 'party', 'desk']);
    expect(ids('analyst')).toContain('coverage');
  });
});

describe('绩效考核 (/performance.html)', () => {
  it('is offered exactly to the roles that may read performance scores', () => {
    for (const role of ['district_leader', 'district_center', 'subdistrict_staff', 'community_staff', 'analyst', 'admin'] as const) expect(ids(role), role).toContain('performance');
    for (const role of ['grid_worker', 'department', 'planner', 'kiosk'] as const) expect(ids(role), role).not.toContain('performance');
  });
});

describe('设施编辑 (/facilities)', () => {
  it('is offered to planners and admins, who may edit facilities, and to no other role', () => {
    for (const role of ['planner', 'admin'] as const) expect(ids(role), role).toContain('facilities');
    for (const role of ['district_leader', 'district_center', 'subdistrict_staff', 'community_staff', 'grid_worker', 'department', 'analyst', 'kiosk'] as const) {
      expect(ids(role), role).not.toContain('facilities');
    }
  });
});

describe('重点人群 (/residents)', () => {
  it('is offered exactly to the roles that may read residents\' personal data', () => {
    for (const role of ['district_leader', 'district_center', 'subdistrict_staff', 'community_staff', 'grid_worker', 'admin'] as const) expect(ids(role), role).toContain('residents');
    for (const role of ['department', 'analyst', 'planner', 'kiosk'] as const) expect(ids(role), role).not.toContain('residents');
  });
});

describe('支部台账 (/party)', () => {
  it('is offered exactly to the roles that may read the Party ledger', () => {
    for (const role of ['district_leader', 'district_center', 'subdistrict_staff', 'community_staff', 'grid_worker', 'analyst', 'admin'] as const) expect(ids(role), role).toContain('party');
    for (const role of ['department', 'planner'] as const) expect(ids(role), role).not.toContain('party');
  });
});

describe('网格划分 (/grids)', () => {
  it('is offered to the analyst, who may edit grids, and to no other role', () => {
    expect(ids('analyst')).toContain('grids');
    for (const role of ['district_leader', 'district_center', 'subdistrict_staff', 'community_staff', 'grid_worker', 'department', 'planner', 'admin', 'kiosk'] as const) {
      expect(ids(role), role).not.toContain('grids');
    }
  });
});

describe('服务台 (/admin.html#desk)', () => {
  it('is offered to the desks (district centre, subdistrict, community staff) and to no other role', () => {
    for (const role of ['district_center', 'subdistrict_staff', 'community_staff'] as const) expect(ids(role), role).toContain('desk');
    for (const role of ['district_leader', 'grid_worker', 'department', 'analyst', 'planner', 'admin', 'kiosk'] as const) expect(ids(role), role).not.toContain('desk');
  });
});
