CREATE TABLE before_the_break (id int); -- expect: create-if-not-exists
-- Everything after the opening $$ is one unterminated body: nothing in it is a statement,
-- and the body itself is an error, because psql would fail the run on it.
SELECT $$ never closed; -- expect: unterminated
CREATE TABLE inside_the_body (id int);
DROP TABLE everything;
