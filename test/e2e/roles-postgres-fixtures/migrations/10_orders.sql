-- Runs after 2_seed.sql (numeric order), so the seed rows exist.
CREATE TABLE orders (id bigserial PRIMARY KEY, account bigint NOT NULL REFERENCES accounts(id), qty int NOT NULL);
INSERT INTO orders (account, qty) SELECT id, 1 FROM accounts WHERE email = 'ALICE@example.com';
