// Stable error codes returned by the API as {"error":{"code","message"}}.
export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_geometry: 400,
  invalid_bbox: 400,
  invalid_crs: 400,
  unknown_category: 400,
  malformed_json: 400,
  weak_password: 400,
  /** A password change whose new password is the current one (the forced first change included). */
  password_reused: 400,
  outside_district: 422,
  /** An address-only report the district's gazetteer cannot place with certainty (GET /api/geocode offers candidates). */
  address_not_found: 422,
  /** 15-minute coverage: a point (click, added or moved facility) farther than 300 m from every walkable edge. */
  unreachable: 422,
  /** 15-minute coverage: a service class code that data/service-classes.json does not define. */
  unknown_service_class: 400,
  client_key_conflict: 409,
  invalid_transition: 409,
  conflict: 409,
  /** A grid-editor draft was saved by someone else since the caller loaded it (details: who, when, revision). */
  revision_conflict: 409,
  /** A grid layout with blocking problems cannot be published (details: the problems). */
  validation_failed: 422,
  /** Grid editor: the partition engine could not make a proposal from this community's data (the message names why). */
  proposal_failed: 422,
  /** Public pages (随手拍, 一年一事): a phone verification code that is wrong, expired, used or guessed too often (details.reason). */
  verification_failed: 400,
  /** Public pages: the verified-phone ticket, case link or voting link is missing, unknown or expired. */
  verification_required: 401,
  /** A resident rates their case once, through its private link. */
  already_rated: 409,
  /** A resident rates a case only once it is resolved or verified (办结/核查 and after). */
  not_rateable: 409,
  /** 一年一事: one vote per resident (or voting link) per community and year. */
  already_voted: 409,
  /** Reporter points: the case (with its merged duplicates) has earned its points already. */
  already_awarded: 409,
  /** Reporter points: the case is not verified valid, or its report was marked invalid: no points. */
  not_awardable: 422,
  /** Party ledger: an activity that breaks the ledger's rules (future date, attendee not of the branch …; details.problems). */
  invalid_activity: 422,
  /** Trend warnings: the account a warning was to be assigned to has no jurisdiction over the warning's grid or area. */
  assignee_outside_area: 422,
  /** Resident data pool: a tag that is not in the tag list, or not for this kind of record (person/house/firm). */
  unknown_tag: 400,
  /** An uploaded file (CSV/.xlsx) that cannot be read as a table at all: nothing was imported. */
  malformed_file: 400,
  /** Resident data pool: a tag still carried by records cannot be deleted. */
  tag_in_use: 409,
  unauthorized: 401,
  invalid_credentials: 401,
  forbidden: 403,
  csrf_failed: 403,
  password_change_required: 403,
  not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  /** A backing service (photo storage) is down, or a write failed for lack of disk space: nothing was stored; retry later (Retry-After). */
  storage_unavailable: 503,
  /** The deep health check found tables that do not read whole: restore the latest backup. */
  database_damaged: 503,
  /** Grid editor: partition/rebalance proposals already queued to the limit; retry shortly (Retry-After). */
  proposal_busy: 503,
  /** Grid editor: a partition/rebalance proposal ran past its time limit and was stopped; nothing changed. */
  proposal_timeout: 503,
  internal_error: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ApiErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}
