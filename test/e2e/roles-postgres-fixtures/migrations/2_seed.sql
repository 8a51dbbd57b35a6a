INSERT INTO accounts (email) VALUES ('alice@example.com'), ('bob@example.com');
