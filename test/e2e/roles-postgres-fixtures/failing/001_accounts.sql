CREATE TABLE accounts (
  id bigserial PRIMARY KEY,
  email citext NOT NULL UNIQUE,
  token text NOT NULL DEFAULT encode(gen_random_bytes(8), 'hex')
);
