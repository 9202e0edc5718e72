import Testing
@testable import SchemaJobKit

/// `--dsn` taken apart as libpq would read it, so only `PG*` variables and the
/// password file carry it to psql.
@Suite struct ConnectionStringTests {
    @Test func aURIBecomesPGVariablesAndAPassword() throws {
        let connection = try ConnectionString("postgresql://app%40corp:p%40ss%3Aw0rd@db.example:6432/gpu%20dev?sslmode=require&application_name=x")
        #expect(connection.password == "p@ss:w0rd")
        #expect(connection.environment == [
            "PGUSER": "app@corp", "PGHOST": "db.example", "PGPORT": "6432", "PGDATABASE": "gpu dev",
            "PGSSLMODE": "require", "PGAPPNAME": "x",
        ])
    }

    @Test func aURIMayNameSeveralHostsAnIPv6AddressOrASocketDirectory() throws {
        #expect(try ConnectionString("postgres://a:1,b:2/db").environment == ["PGHOST": "a,b", "PGPORT": "1,2", "PGDATABASE": "db"])
        #expect(try ConnectionString("postgresql://[::1]:5433").environment == ["PGHOST": "::1", "PGPORT": "5433"])
        #expect(try ConnectionString("postgresql://%2Fvar%2Frun%2Fpostgresql/db").environment["PGHOST"] == "/var/run/postgresql")
        #expect(try ConnectionString("postgresql:///db?host=/tmp").environment == ["PGHOST": "/tmp", "PGDATABASE": "db"])
    }

    @Test func aKeywordValueStringKeepsQuotedSpacesAndEscapes() throws {
        let connection = try ConnectionString(#"host = db  port=5432 dbname='my db' password='it\'s \\ secret' user=a\ b"#)
        #expect(connection.password == #"it's \ secret"#)
        #expect(connection.environment == ["PGHOST": "db", "PGPORT": "5432", "PGDATABASE": "my db", "PGUSER": "a b"])
    }

    @Test(arguments: [
        "host=db password=hunter2x dangling",
        "host=db password='hunter2x",
        "postgresql://u:hunter2x@db/x?keepalives=1",
        "postgresql://u:hunter2x@[::1/x",
        "postgresql://u:hunter2x@db/x?flag",
        "postgresql://u:hunter2x%zz@db/x",
    ])
    func aBadStringIsRefusedWithoutQuotingIt(_ text: String) {
        #expect {
            try ConnectionString(text)
        } throws: { error in
            let line = (error as? InputError)?.diagnosticLine ?? ""
            return line.hasPrefix("--dsn: error: ") && !line.contains("hunter2x")
        }
    }
}
