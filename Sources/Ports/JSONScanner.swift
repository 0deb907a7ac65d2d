import Foundation

/// A forward-only JSON scanner over UTF-8 bytes, for reading a member of a large object (a workflow's `spec`, one
/// node's inputs and outputs from `raw`) without parsing the rest. It is the model's accessor to the bytes it keeps
/// (`RawJSON`); the fast reader of whole workflows built on it is in `Sources/Support/ArgoWire`.
public struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0

    public init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    public mutating func space() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return
            }
        }
    }

    public mutating func peek() -> UInt8 {
        space()
        return i < bytes.count ? bytes[i] : 0
    }

    public mutating func expect(_ c: UInt8) throws {
        guard peek() == c else { throw Unexpected() }
        i += 1
    }

    /// Consumes `null` and returns true, or leaves a non-null value in place.
    public mutating func null() throws -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    public mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard i + count <= bytes.count else { throw Unexpected() }
        let w = word.utf8Start
        for k in 0..<count where bytes[i + k] != w[k] { throw Unexpected() }
        i += count
    }

    /// Each member of an object; `body` must consume the value.
    public mutating func members(_ body: (inout JSONScanner, String) throws -> Void) throws {
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
    public mutating func elements(_ body: (inout JSONScanner) throws -> Void) throws {
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
    public mutating func string() throws -> String? {
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

    public func unescape(_ slice: UnsafeBufferPointer<UInt8>) throws -> String {
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

    public mutating func bool() throws -> Bool? {
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
    public mutating func numberText() -> Substring? {
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
    public mutating func int() throws -> Int? {
        if try null() { return nil }
        guard let text = numberText(), let value = Int(text) else { throw Unexpected() }
        return value
    }

    /// A scalar as text, the way `ScalarString` reads it: strings as they are, numbers and booleans printed.
    public mutating func scalarText() throws -> String? {
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
    public mutating func skipValue() throws {
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

    public mutating func skipString() throws {
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
    public mutating func valueData() throws -> Data {
        space()
        let start = i
        try skipValue()
        return Data(UnsafeBufferPointer(rebasing: bytes[start..<i]))
    }

    /// Thrown at a shape the scanner does not take.
    public struct Unexpected: Error {}

    /// The bytes of one top-level member of a JSON object (e.g. a workflow's `spec`), without parsing the rest.
    public static func member(_ key: String, of data: Data) -> Data? {
        data.withUnsafeBytes { raw -> Data? in
            var s = JSONScanner(bytes: raw.bindMemory(to: UInt8.self))
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
}
