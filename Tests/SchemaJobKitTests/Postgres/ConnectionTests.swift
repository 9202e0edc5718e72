import Testing
@testable import SchemaJobKit

/// The precedence of `--dsn`, libpq's `PG*` variables and the settings, one rule a test
/// (`Connection`). No server is needed: these are the variables psql would be given.
@Suite struct ConnectionTests {
    static let dsn = "postgresql://app:s3cret@db.example:6432/shop"

    @Test func theDsnsParametersWinOverTheCallersVariables() throws {
        let connection = Connection(environment: ["PGHOST": "elsewhere", "PGPORT": "5000"], dsn: Self.dsn)
        let variables = try connection.libpqVariables()
        #expect(variables["PGHOST"] == "db.example")
        #expect(variables["PGPORT"] == "6432")
    }

    @Test func theDsnsPasswordBecomesPGPASSWORDOverTheCallers() throws {
        let connection = Connection(environment: ["PGPASSWORD": "old"], dsn: Self.dsn)
        #expect(try connection.libpqVariables()["PGPASSWORD"] == "s3cret")
    }

    @Test func theCallersPasswordStaysWhenTheDsnHasNone() throws {
        let connection = Connection(environment: ["PGPASSWORD": "from-env"], dsn: "host=db.example")
        #expect(try connection.libpqVariables()["PGPASSWORD"] == "from-env")
    }

    @Test func aDsnAloneNamesTheServerSoTheCallersServerVariablesItLeavesUnsetAreDropped() throws {
        let connection = Connection(
            environment: ["PGHOSTADDR": "10.0.0.9", "PGUSER": "someone", "PGDATABASE": "other"], dsn: "host=db.example")
        #expect(try connection.libpqVariables() == ["PGHOST": "db.example"])
    }

    @Test func theCallersOtherLibpqVariablesSurviveADsn() throws {
        let connection = Connection(environment: ["PGSSLMODE": "verify-full", "PGCONNECT_TIMEOUT": "3"], dsn: "host=db.example")
        let variables = try connection.libpqVariables()
        #expect(variables["PGSSLMODE"] == "verify-full")
        #expect(variables["PGCONNECT_TIMEOUT"] == "3")
    }

    @Test func withoutADsnTheSettingsFillWhatTheCallersVariablesLeaveUnset() throws {
        let connection = Connection(environment: ["PGHOST": "localhost", "HOME": "/root"])
        let variables = try connection.libpqVariables(settings: Settings())
        #expect(variables == ["PGHOST": "localhost", "PGPORT": "5432", "PGDATABASE": "gpudev", "PGUSER": "gpudev"])
    }

    @Test func withADsnTheSettingsAreNotUsed() throws {
        let connection = Connection(environment: [:], dsn: "host=db.example")
        #expect(try connection.libpqVariables(settings: Settings()) == ["PGHOST": "db.example"])
    }

    @Test func psqlsEnvironmentKeepsTheCallersOtherVariablesAndTheConnectionOverThem() throws {
        let connection = Connection(environment: ["PATH": "/usr/bin", "PGPORT": "1"], dsn: "port=2")
        let environment = try connection.psqlEnvironment(settings: Settings())
        #expect(environment == ["PATH": "/usr/bin", "PGPORT": "2"])
    }

    @Test func theRenderedPodsTakeTheCallersVariablesOverTheRenderedOnesAndTheDsnsOverBoth() throws {
        let connection = Connection(environment: ["PGUSER": "me", "PGPORT": "1", "PGPASSWORD": "env"], dsn: "port=2 password=dsn")
        let pods = try connection.podEnvironment()
        #expect(pods.overrides == ["PGUSER": "me", "PGPORT": "2"])
        #expect(pods.password == "dsn")
        // A dsn names the server: the rendered (cluster) variables neither it nor the caller sets go.
        #expect(pods.removed == ["PGHOST", "PGHOSTADDR", "PGDATABASE"])
    }

    @Test func withoutADsnThePodsKeepTheRenderedVariablesTheCallerLeavesUnset() throws {
        let pods = try Connection(environment: ["PGHOST": "localhost", "PGPASSWORD": "env"]).podEnvironment()
        #expect(pods.overrides == ["PGHOST": "localhost"])
        #expect(pods.removed.isEmpty)
        #expect(pods.password == "env")
    }

    @Test func aServiceNamesAServerAndAPasswordAloneDoesNot() {
        #expect(Connection(environment: ["PGSERVICE": "prod"]).namesServer)
        #expect(!Connection(environment: ["PGPASSWORD": "x", "PGSSLMODE": "require"]).namesServer)
        #expect(Connection(environment: [:], dsn: "host=db").namesServer)
    }

    @Test func theServerIsDescribedWithoutThePassword() throws {
        let variables = try Connection(environment: [:], dsn: Self.dsn).libpqVariables()
        #expect(Connection.describeServer(variables) == "PGDATABASE=shop PGHOST=db.example PGPORT=6432 PGUSER=app")
    }
}
