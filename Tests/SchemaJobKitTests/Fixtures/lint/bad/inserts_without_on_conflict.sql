INSERT INTO gpu_types (gpu_type, instance_type) VALUES ('t4', 'g4dn.12xlarge'); -- expect: insert-without-on-conflict
INSERT INTO api_users (username) -- expect: insert-without-on-conflict
SELECT username FROM staged_users;
-- ON CONFLICT in a string or a comment does not count.
INSERT INTO notes (body) VALUES ('ON CONFLICT DO NOTHING'); -- expect: insert-without-on-conflict
INSERT INTO notes (body) /* ON CONFLICT DO NOTHING */ VALUES ('x'); -- expect: insert-without-on-conflict
-- A join's ON is not ON CONFLICT.
INSERT INTO pairs SELECT a.id, b.id FROM a JOIN b ON a.id = b.id; -- expect: insert-without-on-conflict
