import Foundation

/// Reads a Workflow faster than Foundation's JSON decoders, which run at about 35 MB/s here and made a
/// 10,000-node workflow (3.7 MB) cost ~95 ms. The bulk of a large workflow is `status.nodes`; this reads that map
/// with a byte scanner that skips what the domain does not use, and hands the small rest (metadata, spec, the
/// other status fields) to `JSONDecoder`. Any shape it does not expect makes it give up, and `Workflow.decode`
/// falls back to `JSONDecoder` for the whole object, so the result never depends on this path.
public enum WorkflowReader {
    struct Unexpected: Error {}

    /// The workflow, or an error when the JSON is not in a shape this reader takes.
    public static func read(_ data: Data) throws -> Workflow {
        try data.withUnsafeBytes { raw in
            var s = Scanner(bytes: raw.bindMemory(to: UInt8.self))
            var metadata = ObjectMeta()
            var spec = WorkflowSpec()
            var status = WorkflowStatus()
            try s.members { s, key in
                switch key {
                case "metadata":
                    metadata = try JSONDecoder().decode(ObjectMeta.self, from: s.valueData())
                case "spec":
                    spec = try JSONDecoder().decode(WorkflowSpec.self, from: s.valueData())
                case "status":
                    status = try readStatus(&s)
                default:
                    try s.skipValue()
                }
            }
            return Workflow(metadata: metadata, spec: spec, status: status)
        }
    }

    /// The bytes of one top-level member of a JSON object (e.g. a workflow's `spec`), without parsing the rest.
    public static func member(_ key: String, of data: Data) -> Data? {
        data.withUnsafeBytes { raw -> Data? in
            var s = Scanner(bytes: raw.bindMemory(to: UInt8.self))
            var found: Data?
            do {
                try s.members { s, k in
                    if k == key, found == nil { found = try s.valueData() } else { try s.skipValue() }
                }
            } catch {
                return nil
            }
            return found
        }
    }

    static let statusKeys: Set<String> = [
        "phase", "startedAt", "finishedAt", "progress", "message", "estimatedDuration", "resourcesDuration",
        "conditions", "synchronization",
    ]

    /// The status: nodes by the scanner, the few other fields the domain reads by `JSONDecoder`.
    static func readStatus(_ s: inout Scanner) throws -> WorkflowStatus {
        guard s.peek() == UInt8(ascii: "{") else {
            try s.skipValue()
            return WorkflowStatus()
        }
        var nodes: [String: NodeStatus] = [:]
        var rest = Data("{".utf8)
        try s.members { s, key in
            if key == "nodes" {
                nodes = try readNodes(&s)
            } else if statusKeys.contains(key) {
                if rest.count > 1 { rest.append(UInt8(ascii: ",")) }
                rest.append(contentsOf: try JSONEncoder().encode(key))
                rest.append(UInt8(ascii: ":"))
                rest.append(try s.valueData())
            } else {
                try s.skipValue()
            }
        }
        rest.append(UInt8(ascii: "}"))
        var status = try JSONDecoder().decode(WorkflowStatus.self, from: rest)
        status.nodes = nodes
        return status
    }

    static func readNodes(_ s: inout Scanner) throws -> [String: NodeStatus] {
        if try s.null() { return [:] }
        // Count first (skipping is cheap) so the map is allocated once, not regrown a dozen times.
        var counter = s
        var count = 0
        try counter.members { s, _ in
            count += 1
            try s.skipValue()
        }
        var nodes: [String: NodeStatus] = [:]
        nodes.reserveCapacity(count)
        try s.members { s, key in
            var node = try readNode(&s)
            if node.id.isEmpty { node.id = key }
            nodes[key] = node
        }
        return nodes
    }

    static func readNode(_ s: inout Scanner) throws -> NodeStatus {
        var n = NodeStatus(id: "", name: "", type: NodeType(rawValue: ""))
        if try s.null() { return n }
        try s.members { s, key in
            switch key {
            case "id": n.id = try s.string() ?? ""
            case "name": n.name = try s.string() ?? ""
            case "displayName": n.displayName = try s.string()
            case "type": n.type = NodeType(rawValue: try s.string() ?? "")
            case "templateName": n.templateName = try s.string()
            case "templateRef":
                if try s.null() { break }
                var ref = TemplateReference()
                try s.members { s, key in
                    switch key {
                    case "name": ref.name = try s.string()
                    case "template": ref.template = try s.string()
                    case "clusterScope": ref.clusterScope = try s.bool()
                    default: try s.skipValue()
                    }
                }
                n.templateRef = ref
            case "phase": n.phase = try s.string().flatMap { $0.isEmpty ? nil : NodePhase(rawValue: $0) }
            case "boundaryID": n.boundaryID = try s.string()
            case "children":
                if try s.null() { break }
                var children: [String] = []
                try s.elements { s in children.append(try s.string() ?? "") }
                n.children = children
            case "message": n.message = try s.string()
            case "startedAt": n.startedAt = try s.string()
            case "finishedAt": n.finishedAt = try s.string()
            case "progress": n.progress = try s.string()
            case "hostNodeName": n.hostNodeName = try s.string()
            case "outputs":
                if try s.null() { break }
                try s.members { s, key in
                    if key == "exitCode" { n.exitCode = try s.scalarText() } else { try s.skipValue() }
                }
            case "synchronizationStatus":
                if try s.null() { break }
                try s.members { s, key in
                    if key == "waiting" { n.waitingForLock = try s.string() } else { try s.skipValue() }
                }
            case "resourcesDuration":
                if try s.null() { break }
                var durations: [String: Int] = [:]
                try s.members { s, key in durations[key] = try s.int() }
                n.resourcesDuration = durations
            default:
                try s.skipValue()
            }
        }
        return n
    }

    /// A forward-only JSON scanner over UTF-8 bytes.
    struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func space() {
            while i < bytes.count {
                switch bytes[i] {
                case 0x20, 0x0A, 0x0D, 0x09: i += 1
                default: return
                }
            }
        }

        mutating func peek() -> UInt8 {
            space()
            return i < bytes.count ? bytes[i] : 0
        }

        mutating func expect(_ c: UInt8) throws {
            guard peek() == c else { throw Unexpected() }
            i += 1
        }

        /// Consumes `null` and returns true, or leaves a non-null value in place.
        mutating func null() throws -> Bool {
            guard peek() == UInt8(ascii: "n") else { return false }
            try literal("null")
            return true
        }

        mutating func literal(_ word: StaticString) throws {
            let count = word.utf8CodeUnitCount
            guard i + count <= bytes.count else { throw Unexpected() }
            let w = word.utf8Start
            for k in 0..<count where bytes[i + k] != w[k] { throw Unexpected() }
            i += count
        }

        /// Each member of an object; `body` must consume the value.
        mutating func members(_ body: (inout Scanner, String) throws -> Void) throws {
            try expect(UInt8(ascii: "{"))
            if peek() == UInt8(ascii: "}") {
                i += 1
                return
            }
            while true {
                guard let key = try string() else { throw Unexpected() }
                try expect(UInt8(ascii: ":"))
                try body(&self, key)
                switch peek() {
                case UInt8(ascii: ","): i += 1
                case UInt8(ascii: "}"):
                    i += 1
                    return
                default: throw Unexpected()
                }
            }
        }

        /// Each element of an array; `body` must consume it.
        mutating func elements(_ body: (inout Scanner) throws -> Void) throws {
            try expect(UInt8(ascii: "["))
            if peek() == UInt8(ascii: "]") {
                i += 1
                return
            }
            while true {
                try body(&self)
                switch peek() {
                case UInt8(ascii: ","): i += 1
                case UInt8(ascii: "]"):
                    i += 1
                    return
                default: throw Unexpected()
                }
            }
        }

        /// A string, or nil for `null`; anything else is unexpected.
        mutating func string() throws -> String? {
            if try null() { return nil }
            try expect(UInt8(ascii: "\""))
            let start = i
            var escaped = false
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") {
                    let slice = UnsafeBufferPointer(rebasing: bytes[start..<i])
                    i += 1
                    return escaped ? try unescape(slice) : String(decoding: slice, as: UTF8.self)
                }
                if c == UInt8(ascii: "\\") {
                    escaped = true
                    i += 2
                } else {
                    i += 1
                }
            }
            throw Unexpected()
        }

        func unescape(_ slice: UnsafeBufferPointer<UInt8>) throws -> String {
            var out: [UInt8] = []
            out.reserveCapacity(slice.count)
            var k = 0
            func hex4(_ at: Int) throws -> UInt32 {
                guard at + 4 <= slice.count else { throw Unexpected() }
                var v: UInt32 = 0
                for j in at..<(at + 4) {
                    let c = slice[j]
                    let d: UInt8
                    switch c {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
                    case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
                    case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
                    default: throw Unexpected()
                    }
                    v = v << 4 | UInt32(d)
                }
                return v
            }
            while k < slice.count {
                let c = slice[k]
                guard c == UInt8(ascii: "\\") else {
                    out.append(c)
                    k += 1
                    continue
                }
                guard k + 1 < slice.count else { throw Unexpected() }
                let e = slice[k + 1]
                k += 2
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4(k)
                    k += 4
                    if (0xD800..<0xDC00).contains(scalar), k + 6 <= slice.count, slice[k] == UInt8(ascii: "\\"),
                        slice[k + 1] == UInt8(ascii: "u")
                    {
                        let low = try hex4(k + 2)
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            k += 6
                        }
                    }
                    let s = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(Character(s)).utf8))
                default: throw Unexpected()
                }
            }
            return String(decoding: out, as: UTF8.self)
        }

        mutating func bool() throws -> Bool? {
            switch peek() {
            case UInt8(ascii: "t"):
                try literal("true")
                return true
            case UInt8(ascii: "f"):
                try literal("false")
                return false
            case UInt8(ascii: "n"):
                try literal("null")
                return nil
            default: throw Unexpected()
            }
        }

        /// The bytes of a number.
        mutating func numberText() -> Substring? {
            space()
            let start = i
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                    UInt8(ascii: "e"), UInt8(ascii: "E"):
                    i += 1
                default:
                    return i > start
                        ? Substring(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))
                        : nil
                }
            }
            return i > start
                ? Substring(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)) : nil
        }

        /// An integer (a number without fraction); null is nil; anything else is unexpected.
        mutating func int() throws -> Int? {
            if try null() { return nil }
            guard let text = numberText(), let value = Int(text) else { throw Unexpected() }
            return value
        }

        /// A scalar as text, the way `ScalarString` reads it: strings as they are, numbers and booleans printed.
        mutating func scalarText() throws -> String? {
            switch peek() {
            case UInt8(ascii: "\""), UInt8(ascii: "n"): return try string()
            case UInt8(ascii: "t"), UInt8(ascii: "f"): return try bool().map { String($0) }
            default:
                guard let text = numberText() else { throw Unexpected() }
                if let i = Int(text) { return String(i) }
                if let d = Double(text) { return String(d) }
                throw Unexpected()
            }
        }

        /// Skips one value of any kind.
        mutating func skipValue() throws {
            switch peek() {
            case UInt8(ascii: "\""): try skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while i < bytes.count {
                    let c = bytes[i]
                    switch c {
                    case UInt8(ascii: "\""):
                        try skipString()
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 {
                            i += 1
                            return
                        }
                    default: break
                    }
                    i += 1
                }
                throw Unexpected()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default:
                guard numberText() != nil else { throw Unexpected() }
            }
        }

        mutating func skipString() throws {
            guard peek() == UInt8(ascii: "\"") else { throw Unexpected() }
            i += 1
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    i += 1
                    return
                case UInt8(ascii: "\\"): i += 2
                default: i += 1
                }
            }
            throw Unexpected()
        }

        /// The next value's bytes, consumed.
        mutating func valueData() throws -> Data {
            space()
            let start = i
            try skipValue()
            return Data(UnsafeBufferPointer(rebasing: bytes[start..<i]))
        }
    }
}
