CREATE TABLE accounts (id bigserial PRIMARY KEY, email citext NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now());
