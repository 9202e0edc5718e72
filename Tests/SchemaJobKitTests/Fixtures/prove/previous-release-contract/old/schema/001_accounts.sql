CREATE TABLE IF NOT EXISTS accounts (
    id bigint PRIMARY KEY,
    handle varchar(50) NOT NULL,
    legacy_code text
);
