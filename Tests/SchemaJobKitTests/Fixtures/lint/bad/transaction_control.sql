BEGIN; -- expect: transaction-control
CREATE TABLE IF NOT EXISTS t (id int);
COMMIT; -- expect: transaction-control
START TRANSACTION ISOLATION LEVEL SERIALIZABLE; -- expect: transaction-control
ROLLBACK; -- expect: transaction-control
begin work; -- expect: transaction-control
END; -- expect: transaction-control
ABORT; -- expect: transaction-control
PREPARE TRANSACTION 'migration'; -- expect: transaction-control
COMMIT PREPARED 'migration'; -- expect: transaction-control
SAVEPOINT fine;
ROLLBACK TO fine;
