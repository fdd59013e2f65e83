-- The transactional outbox of domain events (README, "Log events"): the db service inserts a
-- row in the same transaction as the change it describes, so an event exists exactly when its
-- change committed, and its relay streams the rows to the logging service in id order and
-- deletes them once the logging service has answered OK (at least once).
CREATE TABLE outbox_events (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        uuid        NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    trace_id        text        NOT NULL CHECK (char_length(trace_id) BETWEEN 1 AND 128),
    level           text        NOT NULL CHECK (level IN ('DEBUG', 'INFO', 'WARN', 'ERROR')),
    event           text        NOT NULL CHECK (event ~ '^[a-z0-9._]{1,64}$'),
    message         text        NOT NULL CHECK (char_length(message) BETWEEN 1 AND 8192),
    -- The event's own top-level fields, as the text of a JSON object (LogMessage.attributes_json).
    attributes_json text        NOT NULL,
    -- The event's timestamp; the relay's lag is the age of the oldest row.
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
