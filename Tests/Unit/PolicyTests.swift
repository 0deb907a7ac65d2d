import ArgoSimulator
import Domain
import Foundation
import Ports
import Testing

@Suite("Policy and namespace rules")
struct PolicyTests {
    @Test(
        "globs",
        arguments: [
            ("*", "anything", true), ("argo", "argo", true), ("argo", "argo-dev", false), ("team-*", "team-data", true),
            ("team-*", "team", false), ("*-prod", "pay-prod", true), ("a?c", "abc", true), ("a?c", "abbc", false),
            ("*a*b*", "xxaybz", true), ("", "", true), ("", "x", false),
        ])
    func glob(pattern: String, text: String, matches: Bool) {
        #expect(NamespaceRules.glob(pattern, matches: text) == matches)
    }

    @Test("deny wins over allow; the reason names the rule")
    func rules() {
        let rules = NamespaceRules(allow: ["team-*", "argo"], deny: ["*-prod"])
        #expect(rules.permits("argo"))
        #expect(rules.permits("team-data"))
        #expect(!rules.permits("team-prod"))
        #expect(!rules.permits("kube-system"))
        #expect(rules.refusal("team-prod").contains("namespaces.deny '*-prod'"))
        #expect(rules.refusal("kube-system").contains("not in the allowed namespaces"))
        #expect(rules.literalAllowed == ["argo"])
        #expect(NamespaceRules().isUnrestricted)
    }

    /// Every combination of the permission flags against every tool class.
    @Test("the permission table", arguments: [false, true], [false, true])
    func table(allowMutations: Bool, allowDestructive: Bool) {
        for readOnly in [false, true] {
            let policy = Policy(readOnly: readOnly, allowMutations: allowMutations, allowDestructive: allowDestructive)
            #expect(policy.permits(.readOnly))
            #expect(policy.permits(.mutating) == (!readOnly && allowMutations))
            #expect(policy.permits(.destructive) == (!readOnly && allowMutations && allowDestructive))
        }
        #expect(Policy().ceiling == .readOnly, "a fresh install cannot change anything")
    }

    func guarded(_ rules: NamespaceRules) async throws -> (ArgoSimulator, NamespaceGuardedGateway) {
        let sim = ArgoSimulator()
        for file in Fixtures.workflowFiles { try await sim.load(try Fixtures.json(file)) }
        return (sim, NamespaceGuardedGateway(SimulatedArgoGateway(simulator: sim), rules: rules))
    }

    @Test("list_namespaces answers when the server's managed namespace is denied, and says why it lists nothing")
    func deniedManagedNamespace() async throws {
        let rules = NamespaceRules(deny: ["workflows"])
        let (sim, gateway) = try await guarded(rules)
        await sim.setManagedNamespace("workflows")
        let list = try await ClusterReads(ArgoContext(gateway: gateway, defaultNamespace: "argo"), rules: rules)
            .namespaces()
        #expect(list.namespaces.map(\.namespace) == ["argo"])
        #expect(list.notes.contains { $0.contains("manages only namespace workflows") })
    }

    @Test("a denied namespace is never listed, read, watched or streamed")
    func guardedReads() async throws {
        let (sim, gateway) = try await guarded(NamespaceRules(deny: ["work*"]))
        let all = try await gateway.listWorkflows(WorkflowListQuery(namespace: nil))
        #expect(!all.items.isEmpty)
        #expect(all.items.allSatisfy { !($0.metadata.namespace ?? "").hasPrefix("work") })
        await #expect(throws: PolicyDenied.self) {
            _ = try await gateway.listWorkflows(WorkflowListQuery(namespace: "workflows"))
        }
        await #expect(throws: PolicyDenied.self) {
            _ = try await gateway.getWorkflow(namespace: "workflows", name: "hello-world-9tql2", fields: nil)
        }
        await #expect(throws: PolicyDenied.self) {
            for try await _ in gateway.workflowLogs(LogQuery(namespace: "workflows", workflowName: "hello-world-9tql2"))
            {}
        }
        await #expect(throws: PolicyDenied.self) {
            for try await _ in gateway.watchWorkflow(
                namespace: "workflows", name: "hello-world-9tql2", resourceVersion: nil)
            {}
        }
        await sim.archiveObject(try Fixtures.json("succeeded-hello-world-api.json"))
        let archived = try await gateway.listArchivedWorkflows(ArchiveListQuery(namespace: nil))
        #expect(!archived.items.isEmpty)
        #expect(archived.items.allSatisfy { !($0.metadata.namespace ?? "").hasPrefix("work") })
        let uid = try #require(try Fixtures.workflow("succeeded-hello-world-api.json").metadata.uid)
        await #expect(throws: PolicyDenied.self) { _ = try await gateway.getArchivedWorkflow(uid: uid) }
        #expect(
            try await gateway.getWorkflow(namespace: "argo", name: "dag-nested-zxlc2", fields: nil).status.nodes.count
                == 21)
    }
}
