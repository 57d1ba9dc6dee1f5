// Reference data kept as data files (data/*.json) and upserted into the database on every start,
// so editing a file and restarting is enough.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ResponsibilityRule } from '../../core/routing.js';
import type { IncidentCategory, ServiceClass } from '../../core/types.js';
import { WORKFLOW } from '../../core/workflow.js';
import type { Queryable } from '../db/db.js';

const DATA = resolve(import.meta.dirname, '../../data');

let classes: ServiceClass[] | null = null;
export const serviceClasses = (): ServiceClass[] =>
  (classes ??= (JSON.parse(readFileSync(resolve(DATA, 'service-classes.json'), 'utf8')) as { classes: ServiceClass[] }).classes);
export const incidentCategories = (): IncidentCategory[] =>
  (JSON.parse(readFileSync(resolve(DATA, 'incident-categories.json'), 'utf8')) as { categories: IncidentCategory[] }).categories;

export async function upsertReferenceData(db: Queryable): Promise<void> {
  await db.query(
    `INSERT INTO service_class (code, name, sort, walk_minutes, color)
     SELECT e->>'code', e->>'name', (o - 1)::int, (e->>'walkMinutes')::int, e->>'color'
       FROM json_array_elements($1::json) WITH ORDINALITY AS t(e, o)
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, sort = EXCLUDED.sort,
       walk_minutes = EXCLUDED.walk_minutes, color = EXCLUDED.color`,
    [JSON.stringify(serviceClasses())],
  );
  await db.query(
    `INSERT INTO incident_category (code, name, sort)
     SELECT e->>'code', e->>'name', (o - 1)::int
       FROM json_array_elements($1::json) WITH ORDINALITY AS t(e, o)
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, sort = EXCLUDED.sort`,
    [JSON.stringify(incidentCategories())],
  );
  await upsertWorkflowData(db);
}

/** The responsibility list's seed and targets (data/responsibility.json). */
export const responsibilitySeed = (): { targets: { gridSolvedShare: number }; rules: ResponsibilityRule[] } =>
  JSON.parse(readFileSync(resolve(DATA, 'responsibility.json'), 'utf8')) as { targets: { gridSolvedShare: number }; rules: ResponsibilityRule[] };

/**
 * Workflow states from data/incident-workflow.json (upserted every start), and the responsibility
 * list from data/responsibility.json, copied only into an empty table: after that an admin owns it.
 */
export async function upsertWorkflowData(db: Queryable): Promise<void> {
  await db.query(
    `INSERT INTO incident_state (code, name, type, sort)
     SELECT e->>'code', e->>'name', e->>'type', (e->>'sort')::int FROM json_array_elements($1::json) AS t(e)
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type, sort = EXCLUDED.sort`,
    [JSON.stringify(WORKFLOW.states)],
  );
  await db.query(
    `INSERT INTO responsibility_rule (category, level, handler, deadline_hours, report_hours)
     SELECT e->>'category', e->>'level', e->>'handler', (e->>'deadlineHours')::float8, (e->>'reportHours')::float8
       FROM json_array_elements($1::json) AS t(e)
      WHERE NOT EXISTS (SELECT 1 FROM responsibility_rule)
     ON CONFLICT (category, level) DO NOTHING`,
    [JSON.stringify(responsibilitySeed().rules)],
  );
}

/** The demo district's synthetic departments (data/demo-departments.json). */
export async function seedDemoDepartments(db: Queryable): Promise<void> {
  const list = (JSON.parse(readFileSync(resolve(DATA, 'demo-departments.json'), 'utf8')) as { departments: { code: string; name: string }[] }).departments;
  await db.query(
    `INSERT INTO department (code, name, synthetic)
     SELECT e->>'code', e->>'name', true FROM json_array_elements($1::json) AS t(e)
     ON CONFLICT (code) DO NOTHING`,
    [JSON.stringify(list)],
  );
}
