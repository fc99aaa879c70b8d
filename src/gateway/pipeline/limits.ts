// AWS's per-request limits for HTTP APIs (docs/aws-behavior.md §3.13): checked by stage selection once
// the stage is known (so the 413 is logged), and by the body paths (buffering for a mapping, forwarding).

/** Request line + headers, in bytes. */
export const MAX_HEADER_BYTES = 10240;
/** Payload, in bytes. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
