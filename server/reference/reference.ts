// Reference data kept as data files (data/*.json) and upserted into the database on every start,
// so editing a file and restarting is enough.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { IncidentCategory, ServiceClass } from '../../core/types.js';
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
