import Foundation
import Testing
import Yams
@testable import SchemaJobKit

/// DESIGN.md decision 8: every pod meets the "restricted" Pod Security Standard, and
/// the password reaches pods only through the Secret.
@Suite struct PodSecurityTests {
    /// (object, pod spec) for every object that has pods.
    static func podSpecs() throws -> [(String, [String: Any])] {
        let yaml = try SchemaJob.render(RenderRequest(databaseDirectory: Repository.database)).yaml()
        return try Yams.load_all(yaml: yaml).compactMap { document in
            let object = try #require(document as? [String: Any])
            guard let template = (object["spec"] as? [String: Any])?["template"] as? [String: Any] else { return nil }
            let name = "\(object["kind"] ?? "")/\(((object["metadata"] as? [String: Any])?["name"]) ?? "")"
            return (name, try #require(template["spec"] as? [String: Any]))
        }
    }

    static func containers(_ pod: [String: Any]) -> [[String: Any]] {
        ((pod["initContainers"] as? [[String: Any]]) ?? []) + ((pod["containers"] as? [[String: Any]]) ?? [])
    }

    @Test func theJobAndTheDeploymentAreTheObjectsWithPods() throws {
        #expect(try Self.podSpecs().map(\.0) == ["Job/db-migration-\(try SchemaJob.render(RenderRequest(databaseDirectory: Repository.database)).plan.shortHash)", "Deployment/api-service"])
    }

    @Test func everyPodRunsAsNonRootWithRuntimeDefaultSeccompAndNoToken() throws {
        for (name, pod) in try Self.podSpecs() {
            let security = try #require(pod["securityContext"] as? [String: Any], "\(name)")
            #expect(security["runAsNonRoot"] as? Bool == true, "\(name)")
            #expect((security["seccompProfile"] as? [String: Any])?["type"] as? String == "RuntimeDefault", "\(name)")
            #expect(pod["automountServiceAccountToken"] as? Bool == false, "\(name)")
            for key in ["hostNetwork", "hostPID", "hostIPC"] {
                #expect(pod[key] == nil, "\(name) sets \(key)")
            }
            for volume in (pod["volumes"] as? [[String: Any]]) ?? [] {
                #expect(volume["hostPath"] == nil, "\(name) mounts a hostPath")
            }
        }
    }

    @Test func everyContainerDropsEverythingHasAReadOnlyRootAndResourceBounds() throws {
        for (name, pod) in try Self.podSpecs() {
            for container in Self.containers(pod) {
                let label = "\(name) \(container["name"] ?? "")"
                let security = try #require(container["securityContext"] as? [String: Any], "\(label)")
                #expect(security["allowPrivilegeEscalation"] as? Bool == false, "\(label)")
                #expect(security["readOnlyRootFilesystem"] as? Bool == true, "\(label)")
                #expect((security["capabilities"] as? [String: Any])?["drop"] as? [String] == ["ALL"], "\(label)")
                #expect(security["privileged"] == nil && security["runAsUser"] as? Int != 0, "\(label)")
                let resources = try #require(container["resources"] as? [String: Any], "\(label)")
                for bound in ["requests", "limits"] {
                    let values = resources[bound] as? [String: Any]
                    #expect(values?["cpu"] != nil && values?["memory"] != nil, "\(label) has no \(bound)")
                }
            }
        }
    }

    @Test func thePasswordReachesTheScriptsAsAFileAndTheAPIThroughSecretKeyRef() throws {
        for (name, pod) in try Self.podSpecs() {
            for container in Self.containers(pod) {
                let containerName = container["name"] as? String ?? ""
                let env = (container["env"] as? [[String: Any]]) ?? []
                let fromSecret = env.filter { (($0["valueFrom"] as? [String: Any])?["secretKeyRef"]) != nil }.compactMap { $0["name"] as? String }
                #expect(!env.contains { ($0["name"] as? String)?.hasPrefix("PGPASSWORD") == true }, "\(name) \(containerName)")
                if containerName == "api" {
                    #expect(fromSecret == ["POSTGRES_PASSWORD"])
                } else {
                    #expect(fromSecret.isEmpty, "\(name) \(containerName) takes the password from the environment")
                }
            }
        }
        let yaml = try SchemaJob.render(RenderRequest(databaseDirectory: Repository.database)).yaml()
        #expect(!yaml.contains("kind: Secret"))
    }
}
