-- The district's own gazetteer: OSM buildings (addresses and names), facilities, roads and
-- communities. No online geocoder: the data served is the data imported (© OpenStreetMap
-- contributors). Every query returns WGS84 points.

-- name: buildingsOnRoad
-- Buildings whose address mentions road $1: their address as stored (the demo's `address`, or
-- OSM addr:street + addr:housenumber), name and a point on their surface. $2 limit.
WITH b AS (
  SELECT b.id, b.name, b.grid_id, b.geom,
         COALESCE(b.props->>'address', (b.props->>'addr:street') || COALESCE(b.props->>'addr:housenumber', ''),
                  (b.props->>'addr_street') || COALESCE(b.props->>'addr_housenumber', '')) AS address
    FROM building b
)
SELECT b.id, b.name, b.address, b.grid_id, ST_X(p) AS lon, ST_Y(p) AS lat
  FROM b, LATERAL ST_PointOnSurface(b.geom) AS p
 WHERE strpos(b.address, $1) > 0
 ORDER BY b.id
 LIMIT $2;

-- name: named
-- Buildings and facilities whose name is in the text $1 or holds it (names of 2+ characters). $2 limit.
SELECT kind, id, name, lon, lat FROM (
  SELECT 'building' AS kind, b.id, b.name, ST_X(p) AS lon, ST_Y(p) AS lat
    FROM building b, LATERAL ST_PointOnSurface(b.geom) AS p
   WHERE length(b.name) >= 2 AND (strpos($1, b.name) > 0 OR strpos(b.name, $1) > 0)
  UNION ALL
  SELECT 'facility', f.id, f.name, ST_X(f.geom), ST_Y(f.geom)
    FROM facility f
   WHERE length(f.name) >= 2 AND (strpos($1, f.name) > 0 OR strpos(f.name, $1) > 0)
) n
 ORDER BY length(name) DESC, kind, id
 LIMIT $2;

-- name: road
-- The middle of the longest stretch of road $1 (a road is many OSM ways).
SELECT r.name, ST_X(p) AS lon, ST_Y(p) AS lat
  FROM road r, LATERAL ST_LineInterpolatePoint(r.geom, 0.5) AS p
 WHERE r.name = $1
 ORDER BY r.length_m DESC, r.id
 LIMIT 1;

-- name: communities
-- Communities (社区) named in the text $1: a point inside each.
SELECT d.code, d.name, ST_X(p) AS lon, ST_Y(p) AS lat
  FROM division d, LATERAL ST_PointOnSurface(d.geom) AS p
 WHERE d.level = 'community' AND d.geom IS NOT NULL AND length(d.name) >= 2 AND strpos($1, d.name) > 0
 ORDER BY length(d.name) DESC, d.code
 LIMIT 5;
