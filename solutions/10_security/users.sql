CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    email TEXT NOT NULL,
    is_admin INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE api_keys (user_id INTEGER NOT NULL, key TEXT NOT NULL);
INSERT INTO users (id, username, email, is_admin) VALUES
    (1, 'alice', 'alice@example.com', 0),
    (2, 'bob', 'bob@example.com', 0),
    (3, 'O''Brien', 'obrien@example.com', 0),
    (4, 'admin', 'admin@example.com', 1),
    (5, 'Robert''); DROP TABLE users;--', 'bobby@example.com', 0),
    (6, 'Zoë', 'zoe@example.com', 0),
    (7, 'bob', 'bob.builder@example.com', 0);
INSERT INTO api_keys (user_id, key) VALUES (4, 'sk-live-7f3a9c2e');
