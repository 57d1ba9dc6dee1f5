-- name: projects
-- The candidate projects of year $1 in the communities $2 (null: every community), each with its
-- community's name and its votes, by community then project (the public page's order).
SELECT p.id, p.community_code, c.name AS community_name, p.title, p.description, p.status,
       (SELECT count(*)::int FROM public_vote v WHERE v.project_id = p.id) AS votes
  FROM public_project p JOIN division c ON c.code = p.community_code
 WHERE p.year = $1 AND ($2::text[] IS NULL OR p.community_code = ANY($2::text[]))
 ORDER BY p.community_code, p.id;
