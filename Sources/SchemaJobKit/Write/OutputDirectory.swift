import Foundation

/// `render --output-dir`: one file per object plus the kustomization that lists them.
///
/// File names carry the kind and the object's name without the hash
/// (`job-db-migration.yaml`, `configmap-db-schema.yaml`): a new hash then changes the
/// lines inside the same files, so a PR shows the SQL that changed instead of every
/// file deleted and added again.
///
/// The kustomization is named `Kustomization`, one of the three names kustomize looks
/// for, and the only one without a `.yaml` extension: `kubectl apply -f DIR` reads only
/// `.yaml`, `.yml` and `.json` files, so it skips it and applies the objects, while
/// `kubectl apply -k DIR` reads it. (A `kustomization.yaml` would make `apply -f DIR`
/// fail on an object of kind Kustomization that no API server knows.)
///
/// Every file schemajob writes starts with `marker`; that is how a later render knows
/// which files are its own to replace or remove. Any other file is left alone.
public enum OutputDirectory {
    public static let marker = "# Written by schemajob render --output-dir: edit the templates, not this file."
    public static let kustomizationFile = "Kustomization"

    /// One file to write: its name inside the directory and its bytes as text.
    public struct File: Equatable, Sendable {
        public var name: String
        public var text: String
    }

    /// What a render would do to the directory.
    public struct Changes: Sendable {
        public var directory: String
        /// Files to write, with what is there now (nil: new).
        public var writes: [(file: File, old: String?)]
        /// schemajob's files the render no longer makes (an older hash's, a removed shard).
        public var removals: [(name: String, old: String)]
        /// Files in the directory schemajob did not write: never touched.
        public var foreign: [String]
        /// Files already as the render would write them.
        public var unchanged: [String]

        public var isEmpty: Bool { writes.isEmpty && removals.isEmpty }

        /// What `render --check` prints: a unified diff per file that would change.
        public func unifiedDiff() -> String {
            var text = ""
            for (file, old) in writes {
                text += LineDiff.unified(
                    old: old ?? "", new: file.text,
                    oldLabel: old == nil ? "/dev/null" : "a/\(path(file.name))", newLabel: "b/\(path(file.name))")
            }
            for (name, old) in removals {
                text += LineDiff.unified(old: old, new: "", oldLabel: "a/\(path(name))", newLabel: "/dev/null")
            }
            return text
        }

        func path(_ name: String) -> String {
            directory.hasSuffix("/") ? directory + name : directory + "/" + name
        }
    }

    /// The files of a render, by stable name, and the kustomization listing them.
    /// `gateComponent` is written as `gate/Kustomization`, a kustomize Component a user's
    /// own kustomization names (`components: [../schemajob/gate]`) to gate its workloads;
    /// the directory's own Kustomization does not list it.
    public static func files(_ manifests: [Manifest], shortHash: String, gateComponent: String? = nil) throws -> [File] {
        var files: [File] = []
        for manifest in manifests {
            let name = "\(manifest.kind.lowercased())-\(stableName(manifest.name, shortHash: shortHash)).yaml"
            guard !files.contains(where: { $0.name == name }) else {
                throw InputError(SourceLocation(path: name), "two objects would be written to the same file")
            }
            files.append(File(name: name, text: marker + "\n" + (try YAMLWriter.yaml([manifest]))))
        }
        let kustomization = """
            \(marker)
            # `kubectl apply -k DIR` reads this file; `kubectl apply -f DIR` skips it (no .yaml).
            ---
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
            \(files.map { "  - \($0.name)" }.joined(separator: "\n"))

            """
        let component = gateComponent.map {
            File(name: WorkloadGate.componentDirectory + "/" + kustomizationFile, text: """
                \(marker)
                # A kustomize Component: `components: [<this directory>]` in your kustomization gates
                # your workloads on this migration (see docs/gating.md).
                \($0)
                """)
        }
        return files + [File(name: kustomizationFile, text: kustomization)] + (component.map { [$0] } ?? [])
    }

    /// `db-schema-0123456789-2` → `db-schema-2`: the name without the hash.
    static func stableName(_ name: String, shortHash: String) -> String {
        name.replacingOccurrences(of: "-" + shortHash, with: "")
    }

    /// Compares the render with the directory; reads, never writes.
    public static func changes(_ files: [File], in directory: String) throws -> Changes {
        var changes = Changes(directory: directory, writes: [], removals: [], foreign: [], unchanged: [])
        var existing: [String: String] = [:]
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw InputError(SourceLocation(path: directory), "not a directory")
            }
            // schemajob's own subdirectories (`gate/`) are read like the directory itself.
            let ownDirectories = Set(files.compactMap { file in file.name.firstIndex(of: "/").map { String(file.name[..<$0]) } }
                + [WorkloadGate.componentDirectory])
            var names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for subdirectory in ownDirectories.sorted() {
                names += ((try? FileManager.default.contentsOfDirectory(atPath: changes.path(subdirectory))) ?? []).map { subdirectory + "/" + $0 }
            }
            for name in names.sorted(by: DatabaseReader.byteOrder) where !name.hasPrefix(".") && !name.contains("/.") {
                let path = changes.path(name)
                var isSubdirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: path, isDirectory: &isSubdirectory)
                if isSubdirectory.boolValue && ownDirectories.contains(name) { continue }
                guard !isSubdirectory.boolValue else { changes.foreign.append(name); continue }
                let isOurs = files.contains(where: { $0.name == name })
                // Only a regular file (or a link to one) is read: a FIFO would block, and
                // no device or FIFO holds schemajob's marker, so one under a render's file
                // name is refused like any file schemajob did not write.
                let destination = try? OutputFile.destination(of: path)
                guard case .replaced(let target)? = destination, FileManager.default.fileExists(atPath: target) else {
                    guard !isOurs else {
                        throw InputError(SourceLocation(path: path),
                                         "not a regular file schemajob wrote (a device, a FIFO, a socket or a dangling link); move it away to render here")
                    }
                    changes.foreign.append(name)
                    continue
                }
                guard let data = FileManager.default.contents(atPath: target) else {
                    throw InputError(SourceLocation(path: path), "cannot read the file")
                }
                let text = String(decoding: data, as: UTF8.self)
                if text.hasPrefix(marker + "\n") {
                    existing[name] = text
                } else if !isOurs {
                    changes.foreign.append(name)
                } else {
                    // A file of ours by name that someone else wrote: replacing it would
                    // lose their work, so refuse rather than guess.
                    throw InputError(SourceLocation(path: path),
                                     "file exists and was not written by schemajob; move it away to render here")
                }
            }
        }
        for file in files {
            if existing[file.name] == file.text {
                changes.unchanged.append(file.name)
            } else {
                changes.writes.append((file, existing[file.name]))
            }
        }
        for (name, text) in existing.sorted(by: { DatabaseReader.byteOrder($0.key, $1.key) })
        where !files.contains(where: { $0.name == name }) {
            changes.removals.append((name, text))
        }
        return changes
    }

    /// Writes what changed, each file atomically, then removes schemajob's stale files.
    /// Unchanged files are not touched, so their mtimes stay.
    public static func apply(_ changes: Changes) throws {
        do {
            try FileManager.default.createDirectory(atPath: changes.directory, withIntermediateDirectories: true)
        } catch {
            throw InputError(SourceLocation(path: changes.directory), "cannot create the directory")
        }
        for (file, _) in changes.writes {
            if let slash = file.name.lastIndex(of: "/") {
                let subdirectory = changes.path(String(file.name[..<slash]))
                do {
                    try FileManager.default.createDirectory(atPath: subdirectory, withIntermediateDirectories: true)
                } catch {
                    throw InputError(SourceLocation(path: subdirectory), "cannot create the directory")
                }
            }
            try OutputFile.write(file.text, to: changes.path(file.name))
        }
        for (name, _) in changes.removals where unlink(changes.path(name)) != 0 && errno != ENOENT {
            throw InputError(SourceLocation(path: changes.path(name)),
                             "cannot remove: \(String(cString: strerror(errno)))")
        }
    }
}
