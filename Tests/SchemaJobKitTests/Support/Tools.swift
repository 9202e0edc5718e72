import Foundation
import Testing

/// The real programs the tests run: found on PATH or in .venv, never replaced by a stand-in.
/// A missing one fails the test that needs it, naming what installs it.
enum Tools {
    static func onPath(_ names: [String]) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for name in names {
            for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return "\(directory)/\(name)"
            }
        }
        return nil
    }

    static func kubectl() throws -> String {
        try #require(onPath(["kubectl"]), "kubectl is not on PATH: the tests build the output directory with `kubectl kustomize`")
    }

    /// OpenTofu or Terraform: the fixture is written in the language both read.
    static func terraform() throws -> String {
        try #require(onPath(["tofu", "terraform"]),
                     "neither tofu nor terraform is on PATH: the OpenTofu module's test cannot run (CI's image carries terraform)")
    }

    static func venv(_ name: String, variable: String) throws -> String {
        let tool = ProcessInfo.processInfo.environment[variable] ?? Repository.root + "/.venv/bin/" + name
        try #require(FileManager.default.isExecutableFile(atPath: tool),
                     "\(name) is missing: run `bash scripts/test`, which installs it into .venv")
        return tool
    }
}
