-- CREATE TABLE in a comment is not a statement: DROP TABLE users;
/* Nor in a block comment: CREATE TABLE x (id int);
   /* nested: TRUNCATE reservations; */
   still a comment: DELETE FROM reservations;
*/
COMMENT ON TABLE reservations IS 'CREATE TABLE reservations; DROP TABLE reservations;';
SELECT 'it''s; DROP TABLE x; fine' AS quoted,
       E'escaped \' quote; DROP TABLE y;' AS escaped,
       U&'\0041; TRUNCATE z;' AS unicode,
       $$ DELETE FROM reservations; $$ AS dollar,
       $tag$ UPDATE reservations SET status = 'x'; $$ still inside $tag$ AS tagged;
SELECT "DROP TABLE"."CREATE TABLE" FROM "DROP TABLE";
SELECT $1::text, a$b FROM t WHERE x = $2;
-- A string that runs to the end of the file would hide this, so it is closed:
SELECT 'last';
