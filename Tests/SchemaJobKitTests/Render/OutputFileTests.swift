import Foundation
import SchemaJobKit
import Testing

/// `render --check -o FILE`: what the file on disk is compared with, and how.
@Suite struct OutputFileTests {
    @Test func aMissingFileIsComparedAsEmptyAndLabelledDevNull() throws {
        let directory = try TemporaryDirectory(prefix: "schemajob-outputfile")
        let path = directory.path + "/none.yaml"
        #expect(try OutputFile.unifiedDiff("kind: Job\nspec: {}\n", against: path)
            == "--- /dev/null\n+++ b/\(path)\n@@ -0,0 +1,2 @@\n+kind: Job\n+spec: {}\n")
        #expect(!FileManager.default.fileExists(atPath: path), "a check writes nothing")
    }

    @Test func theSameContentIsNoDiff() throws {
        let directory = try TemporaryDirectory(prefix: "schemajob-outputfile")
        let path = directory.path + "/manifests.yaml"
        try OutputFile.write(Array("kind: Job\nspec: {}\n".utf8), to: path)
        #expect(try OutputFile.unifiedDiff("kind: Job\nspec: {}\n", against: path) == "")
    }

    @Test func differentContentIsALineDiffFromTheFileToTheRender() throws {
        let directory = try TemporaryDirectory(prefix: "schemajob-outputfile")
        let path = directory.path + "/manifests.yaml"
        let old = "kind: Job\nspec:\n  backoffLimit: 4\n"
        try OutputFile.write(Array(old.utf8), to: path)
        #expect(try OutputFile.unifiedDiff("kind: Job\nspec:\n  backoffLimit: 6\n", against: path)
            == "--- a/\(path)\n+++ b/\(path)\n@@ -1,3 +1,3 @@\n kind: Job\n spec:\n-  backoffLimit: 4\n+  backoffLimit: 6\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == old, "a check writes nothing")
    }

    /// A render is written document by document as it is made: the file takes the new
    /// content only once every piece was written, and a failure while making a piece
    /// leaves the old file as it was, with no temporary file beside it.
    @Test func aFileWrittenPieceByPieceIsReplacedOnlyWhenEveryPieceWasMade() throws {
        let directory = try TemporaryDirectory(prefix: "schemajob-outputfile")
        let path = directory.path + "/manifests.yaml"
        try OutputFile.write(to: path) { emit in
            for document in ["---\nkind: A\n", "---\nkind: B\n"] { try emit(document[...]) }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "---\nkind: A\n---\nkind: B\n")

        struct Broken: Error {}
        #expect(throws: Broken.self) {
            try OutputFile.write(to: path) { emit in
                try emit("---\nkind: C\n")
                throw Broken()
            }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "---\nkind: A\n---\nkind: B\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["manifests.yaml"])
    }
}
