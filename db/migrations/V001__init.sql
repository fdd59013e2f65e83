-- Schema of the store. The CHECK constraints restate the input rules of the contract so that
-- no code path can store what the API would reject.

CREATE TABLE users (
    id                  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sid                 text        NOT NULL CHECK (sid ~ '^[A-Za-z0-9]{1,15}$'),
    username            text        NOT NULL CHECK (username ~ '^[A-Za-z0-9_.-]{3,50}$'),
    email               text        NOT NULL CHECK (char_length(email) <= 254
                                                    AND email ~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+$'),
    password_hash       text        NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    is_active           boolean     NOT NULL DEFAULT true,
    -- Bumped by every password change; a token carries the version it was issued for.
    token_version       bigint      NOT NULL DEFAULT 1 CHECK (token_version >= 1),
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- sid is unique as given; username and email ignoring case. Deactivated users keep theirs.
CREATE UNIQUE INDEX users_sid_key ON users (sid);
CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

CREATE TABLE products (
    id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text          NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 200),
    description text          NOT NULL,
    category    text          NOT NULL CHECK (char_length(category) BETWEEN 1 AND 100),
    price       numeric(10,2) NOT NULL CHECK (price >= 0),
    slogan      text          NOT NULL,
    stock       integer       NOT NULL CHECK (stock >= 0),
    created_at  timestamptz   NOT NULL DEFAULT now()
);

CREATE INDEX products_category_idx ON products (category, id);

CREATE TABLE orders (
    id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      integer       NOT NULL REFERENCES users (id),
    product_id   integer       NOT NULL REFERENCES products (id),
    quantity     integer       NOT NULL CHECK (quantity BETWEEN 1 AND 3),
    -- The product's price when the order was placed; later price changes do not touch it.
    unit_price   numeric(10,2) NOT NULL CHECK (unit_price >= 0),
    status       text          NOT NULL DEFAULT 'placed' CHECK (status IN ('placed', 'cancelled')),
    created_at   timestamptz   NOT NULL DEFAULT now(),
    cancelled_at timestamptz,
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
);

CREATE INDEX orders_user_newest_idx ON orders (user_id, created_at DESC, id DESC);

-- One row per (user, Idempotency-Key) of POST /orders. It is inserted in the same transaction
-- as the order and the stock change, so a failed request leaves no row and its retry runs
-- afresh; a racing repeat blocks on the primary key until the first commits, then replays.
CREATE TABLE order_idempotency_keys (
    user_id         integer     NOT NULL REFERENCES users (id),
    idempotency_key text        NOT NULL CHECK (idempotency_key ~ '^[\x20-\x7E]{1,255}$'),
    product_id      integer     NOT NULL,
    quantity        integer     NOT NULL,
    order_id        integer     REFERENCES orders (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, idempotency_key)
);

CREATE INDEX order_idempotency_keys_created_idx ON order_idempotency_keys (created_at);
