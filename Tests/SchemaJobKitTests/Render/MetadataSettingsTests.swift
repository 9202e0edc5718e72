import Foundation
import Testing
import Yams
@testable import SchemaJobKit

/// `job.labels`, `job.annotations`, `configMap.labels`, `configMap.annotations`: what Argo CD
/// and Flux users add to the objects schemajob writes.
@Suite struct MetadataSettingsTests {
    static func render(_ overrides: [String], config: String? = nil) throws -> Rendering {
        try SchemaJob.render(RenderRequest(databaseDirectory: Repository.database, configFile: config, settingOverrides: overrides))
    }

    static func metadata(_ manifest: Manifest, _ field: String) -> [String: String] {
        var entries: [String: String] = [:]
        for (key, value) in manifest.node.mapping?["metadata"]?.mapping?[field]?.mapping ?? Node.Mapping([]) {
            entries[key.string ?? ""] = value.string
        }
        return entries
    }

    @Test func annotationsAndLabelsReachTheJobsAndConfigMapsMetadataButNotTheirPodsOrTheHash() throws {
        let plain = try Self.render([])
        let annotated = try Self.render([
            "job.annotations.argocd.argoproj.io/hook=Sync", "job.annotations.argocd.argoproj.io/hook-delete-policy=BeforeHookCreation",
            "job.labels.team=platform", "configMap.annotations.argocd.argoproj.io/sync-wave=-1", "configMap.labels.team=platform",
        ])
        #expect(annotated.plan.hash == plain.plan.hash, "metadata can change in place: no new Job")
        let job = try #require(annotated.manifests.first { $0.kind == "Job" })
        #expect(Self.metadata(job, "annotations")["argocd.argoproj.io/hook"] == "Sync")
        #expect(Self.metadata(job, "annotations")["argocd.argoproj.io/hook-delete-policy"] == "BeforeHookCreation")
        #expect(Self.metadata(job, "labels")["team"] == "platform")
        #expect(Self.metadata(job, "labels")["app.kubernetes.io/name"] == "db-migration", "the template's own labels stay")
        let podLabels = job.node.mapping?["spec"]?.mapping?["template"]?.mapping?["metadata"]?.mapping?["labels"]?.mapping
        #expect(podLabels?["team"] == nil, "the pod template is immutable: nothing is added there")
        let configMaps = annotated.manifests.filter { $0.kind == "ConfigMap" }
        #expect(configMaps.count == 3)
        for configMap in configMaps {
            #expect(Self.metadata(configMap, "annotations")["argocd.argoproj.io/sync-wave"] == "-1", "\(configMap.name)")
            #expect(Self.metadata(configMap, "labels")["team"] == "platform")
        }
        let deployment = try #require(annotated.manifests.first { $0.kind == "Deployment" })
        #expect(Self.metadata(deployment, "labels")["team"] == nil)
        // The value "-1" stays a string in YAML, as Kubernetes requires of annotations.
        #expect(try annotated.yaml().contains("argocd.argoproj.io/sync-wave: '-1'"))
    }

    @Test func theConfigFileTakesThemAsMappings() throws {
        let directory = try TemporaryDirectory(prefix: "schemajob-metadata")
        let config = directory.path + "/schemajob.yaml"
        try "job:\n  annotations:\n    argocd.argoproj.io/sync-wave: \"1\"\n  labels:\n    team: platform\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        let job = try #require(try Self.render([], config: config).manifests.first { $0.kind == "Job" })
        #expect(Self.metadata(job, "annotations")["argocd.argoproj.io/sync-wave"] == "1")
        #expect(Self.metadata(job, "labels")["team"] == "platform")
    }

    @Test func aLabelTheTemplateSetsItselfOrABadKeyOrValueIsRefusedWithTheSettingNamed() throws {
        #expect(throws: InputError(SourceLocation(path: "job.labels"),
                                   "sets app.kubernetes.io/name, which templates/job.yaml sets itself on Job db-migration-\(try Self.render([]).plan.shortHash)")) {
            try Self.render(["job.labels.app.kubernetes.io/name=mine"])
        }
        for flag in ["job.labels.team=has space", "job.annotations.-bad-/key=x", "job.annotations=x"] {
            #expect {
                try Self.render([flag])
            } throws: { error in
                (error as? InputError)?.location == SourceLocation(path: "--set \(flag)")
            }
        }
    }
}
