INSERT INTO accounts (email) VALUES ('carol@example.com');
CREATE TABLE half_done (id int);
SELECT no_such_function();
