/// Argo's own naming rule, needed on both sides of the gateway (the simulator names pods, the domain finds them).
///
/// Maps a workflow node to the name of the pod that ran it, for both of Argo's pod-name formats.
///
/// v1 names are the node id. v2 names (the default since Argo 3.2) are `<workflow>-<template>-<hash>`, where the hash
/// is the suffix of the node id (itself the FNV-1a hash of the node name) and the prefix is cut to fit 253 characters.
public enum PodNames {
    static let maxNameLength = 253
    static let hashLength = 10

    public static func podName(for node: NodeStatus, in workflow: Workflow) -> String {
        podName(
            workflowName: workflow.metadata.name,
            format: workflow.metadata.annotations[ArgoLabels.podNameFormat],
            node: node
        )
    }

    public static func podName(workflowName: String, format: String?, node: NodeStatus) -> String {
        // A containerSet container runs in the pod of the node that bounds it.
        let podNodeID = node.type == .container ? (node.boundaryID ?? node.id) : node.id
        if format == "v1" { return podNodeID }
        if workflowName == podNodeID { return workflowName }

        let template = node.templateName.flatMap { $0.isEmpty ? nil : $0 } ?? node.templateRef?.template ?? ""
        var prefix = template.isEmpty ? workflowName : "\(workflowName)-\(template)"
        let maxPrefix = maxNameLength - hashLength - 1
        if prefix.utf8.count > maxPrefix { prefix = UTF8Cut.prefix(prefix, maxPrefix) }

        let idPrefix = "\(workflowName)-"
        let hash =
            podNodeID.hasPrefix(idPrefix) ? String(podNodeID.dropFirst(idPrefix.count)) : String(fnv1a32(node.name))
        let excess = prefix.utf8.count + 1 + hash.utf8.count - maxNameLength
        if excess > 0 { prefix = UTF8Cut.prefix(prefix, max(0, prefix.utf8.count - excess)) }
        return "\(prefix)-\(hash)"
    }

    /// 32-bit FNV-1a, as Go's `hash/fnv` computes it.
    public static func fnv1a32(_ text: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return hash
    }
}
