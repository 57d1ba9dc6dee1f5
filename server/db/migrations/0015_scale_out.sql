-- Scale-out (issue 13): several server processes share one database, so what one process counts
-- or sends must be visible to the others.
--
-- Rate-limit counters (failed logins per username and per address, reports per principal per
-- minute) live here instead of in each process's memory, so N processes do not allow N times the
-- attempts. One row per key and fixed window; an expired row is restarted by the next hit.
CREATE TABLE rate_limit_hit (
  key text PRIMARY KEY,
  hits integer NOT NULL,
  reset_at timestamptz NOT NULL
);
CREATE INDEX rate_limit_hit_reset ON rate_limit_hit (reset_at);

-- @socket.io/postgres-adapter sends room broadcasts with NOTIFY; a payload over its 8 kB limit
-- (a large batch of new cases) is stored here and the notification carries its id. The adapter
-- deletes rows older than its cleanup interval itself.
CREATE TABLE socket_io_attachments (
  id bigserial UNIQUE,
  created_at timestamptz DEFAULT now(),
  payload bytea
);
