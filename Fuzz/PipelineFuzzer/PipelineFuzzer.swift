// libFuzzer entry point for the whole pipeline: read → check → plan → build → YAML,
// built by scripts/fuzz-pipeline against SchemaJobKit as the package builds it (with
// Yams and swift-crypto), instrumented for libFuzzer and AddressSanitizer.
//
// The first byte picks what the rest is: even, the bytes are one schema file (beside
// the bundled fixtures' shape: a fixture file that is fine); odd, the bytes are the
// config file, with a schema file that is fine. Bad input must come back as an error
// value (exit 2 in the executable), never as a crash, a trap or a hang.

import Foundation
import SchemaJobKit

/// A scratch `database/` and config, rewritten for every input. In /dev/shm when there
/// is one: the pipeline reads from disk, as the executable does.
let scratch: String = {
    let parent = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    var template = Array("\(parent)/schemajob-fuzz.XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { fatalError("cannot make a scratch directory") }
    let root = String(cString: made)
    for directory in ["/database/schema", "/database/fixtures"] {
        try! FileManager.default.createDirectory(atPath: root + directory, withIntermediateDirectories: true)
    }
    try! Data("INSERT INTO t (id) VALUES (1) ON CONFLICT DO NOTHING;\n".utf8)
        .write(to: URL(fileURLWithPath: root + "/database/fixtures/001_rows.sql"))
    return root
}()

let wellFormedSchema = Data("CREATE TABLE IF NOT EXISTS t (id int PRIMARY KEY);\n".utf8)

@_cdecl("LLVMFuzzerTestOneInput")
public func pipelineFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let body = Data(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let schemaFile = URL(fileURLWithPath: scratch + "/database/schema/001_fuzz.sql")
    let configPath = scratch + "/schemajob.yaml"
    let asConfig = data[0] & 1 == 1
    try! (asConfig ? wellFormedSchema : body).write(to: schemaFile)
    if asConfig {
        try! body.write(to: URL(fileURLWithPath: configPath))
    } else {
        unlink(configPath)
    }

    let request = RenderRequest(databaseDirectory: scratch + "/database", configFile: asConfig ? configPath : nil)
    do {
        let rendering = try SchemaJob.render(request)
        _ = Linter.lint(rendering.migrationSet)
        _ = try rendering.yaml()
    } catch is InputError {
        // Refused with a place and a message: what bad input should get.
    } catch {
        fatalError("an error that is not an InputError would not reach the user as one line: \(error)")
    }
    // Lint runs on what read accepts, also when a later stage refuses the set.
    if let set = try? DatabaseReader.read(directory: scratch + "/database") {
        _ = Linter.lint(set)
    }
    return 0
}
