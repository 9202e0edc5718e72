import Foundation

/// A libpq connection string (`host=db port=5432 password=…`) or URI
/// (`postgresql://user:secret@db:5432/name?sslmode=require`), taken apart here so the
/// password never becomes an argument: the parameters become the `PG*` variables libpq
/// reads, and the password goes to the Secret's file, as in the cluster. psql is then
/// never given the string itself, which also keeps libpq's own messages about a bad
/// string (they quote it) out of the log. No message here ever quotes the string.
public struct ConnectionString: Sendable, Equatable {
    /// libpq's parameters, by keyword (`host`, `port`, `dbname`, …), the password included.
    public var parameters: [String: String]

    /// Each parameter that has an environment variable (libpq's documented list) and its
    /// name. A parameter without one cannot be passed except as an argument, so it is
    /// refused rather than quietly dropped.
    static let variables: [String: String] = [
        "host": "PGHOST", "hostaddr": "PGHOSTADDR", "port": "PGPORT", "dbname": "PGDATABASE",
        "user": "PGUSER", "passfile": "PGPASSFILE", "channel_binding": "PGCHANNELBINDING",
        "service": "PGSERVICE", "options": "PGOPTIONS", "application_name": "PGAPPNAME",
        "sslmode": "PGSSLMODE", "sslnegotiation": "PGSSLNEGOTIATION", "sslcompression": "PGSSLCOMPRESSION",
        "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "sslrootcert": "PGSSLROOTCERT", "sslcrl": "PGSSLCRL",
        "sslcrldir": "PGSSLCRLDIR", "sslsni": "PGSSLSNI", "requirepeer": "PGREQUIREPEER",
        "require_auth": "PGREQUIREAUTH", "ssl_min_protocol_version": "PGSSLMINPROTOCOLVERSION",
        "ssl_max_protocol_version": "PGSSLMAXPROTOCOLVERSION", "gssencmode": "PGGSSENCMODE",
        "krbsrvname": "PGKRBSRVNAME", "gsslib": "PGGSSLIB", "connect_timeout": "PGCONNECT_TIMEOUT",
        "client_encoding": "PGCLIENTENCODING", "target_session_attrs": "PGTARGETSESSIONATTRS",
        "load_balance_hosts": "PGLOADBALANCEHOSTS",
    ]

    /// Where a message about `--dsn` points; never the string itself.
    static let place = "--dsn"

    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("postgresql://") || trimmed.hasPrefix("postgres://") {
            parameters = try Self.parseURI(trimmed)
        } else {
            parameters = try Self.parseKeywordValue(trimmed)
        }
        for keyword in parameters.keys where keyword != "password" && Self.variables[keyword] == nil {
            throw InputError(Self.place, "parameter '\(keyword)' is not supported here (it has no PG* variable); set it in a service file with PGSERVICEFILE")
        }
    }

    public var password: String? { parameters["password"] }

    /// The `PG*` variables for every parameter but the password.
    public var environment: [String: String] {
        var environment: [String: String] = [:]
        for (keyword, value) in parameters {
            if let name = Self.variables[keyword] { environment[name] = value }
        }
        return environment
    }

    /// `key=value key2='quoted \' value'`, as libpq reads it.
    static func parseKeywordValue(_ text: String) throws -> [String: String] {
        var parameters: [String: String] = [:]
        var characters = Array(text)[...]
        func skipSpaces() { while characters.first?.isWhitespace == true { characters.removeFirst() } }
        skipSpaces()
        while !characters.isEmpty {
            var keyword = ""
            while let character = characters.first, character != "=", !character.isWhitespace {
                keyword.append(characters.removeFirst())
            }
            skipSpaces()
            guard characters.first == "=", !keyword.isEmpty else {
                throw InputError(place, "not a connection string: expected keyword=value")
            }
            characters.removeFirst()
            skipSpaces()
            var value = ""
            if characters.first == "'" {
                characters.removeFirst()
                var closed = false
                while let character = characters.popFirst() {
                    if character == "\\", let escaped = characters.popFirst() {
                        value.append(escaped)
                    } else if character == "'" {
                        closed = true
                        break
                    } else {
                        value.append(character)
                    }
                }
                guard closed else { throw InputError(place, "not a connection string: a quoted value is not closed") }
            } else {
                while let character = characters.first, !character.isWhitespace {
                    characters.removeFirst()
                    if character == "\\", let escaped = characters.popFirst() {
                        value.append(escaped)
                    } else {
                        value.append(character)
                    }
                }
            }
            parameters[keyword] = value
            skipSpaces()
        }
        return parameters
    }

    /// `postgresql://[user[:password]@][host[:port][,host[:port]…]][/dbname][?keyword=value&…]`.
    static func parseURI(_ text: String) throws -> [String: String] {
        var rest = Substring(text[text.range(of: "://")!.upperBound...])
        var parameters: [String: String] = [:]
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var authority = rest
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            let name = rest[rest.index(after: slash)...]
            if !name.isEmpty { parameters["dbname"] = try decode(name, "the database name") }
        }
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                parameters["user"] = try decode(userInfo[..<colon], "the user")
                parameters["password"] = try decode(userInfo[userInfo.index(after: colon)...], "the password")
            } else if !userInfo.isEmpty {
                parameters["user"] = try decode(userInfo, "the user")
            }
        }
        if !authority.isEmpty {
            var hosts: [String] = []
            var ports: [String] = []
            for entry in authority.split(separator: ",", omittingEmptySubsequences: false) {
                var host = entry
                var port: Substring = ""
                if host.hasPrefix("[") {
                    // An IPv6 address: [::1]:5432.
                    guard let close = host.firstIndex(of: "]") else {
                        throw InputError(place, "not a connection URI: '[' without ']' in the host")
                    }
                    let after = host[host.index(after: close)...]
                    if after.hasPrefix(":") { port = after.dropFirst() } else if !after.isEmpty {
                        throw InputError(place, "not a connection URI: unexpected text after ']'")
                    }
                    host = host[host.index(after: host.startIndex)..<close]
                } else if let colon = host.lastIndex(of: ":") {
                    port = host[host.index(after: colon)...]
                    host = host[..<colon]
                }
                hosts.append(try decode(host, "the host"))
                ports.append(try decode(port, "the port"))
            }
            if hosts.contains(where: { !$0.isEmpty }) { parameters["host"] = hosts.joined(separator: ",") }
            if ports.contains(where: { !$0.isEmpty }) { parameters["port"] = ports.joined(separator: ",") }
        }
        for pair in query.split(separator: "&") {
            guard let equals = pair.firstIndex(of: "=") else {
                throw InputError(place, "not a connection URI: a query parameter without '='")
            }
            let keyword = try decode(pair[..<equals], "a query parameter")
            parameters[keyword] = try decode(pair[pair.index(after: equals)...], "the value of '\(keyword)'")
        }
        return parameters
    }

    private static func decode(_ text: Substring, _ what: String) throws -> String {
        guard let decoded = String(text).removingPercentEncoding else {
            throw InputError(place, "not a connection URI: bad percent-encoding in \(what)")
        }
        return decoded
    }
}
