import CompressNIO
import Foundation
import NIOCore
import Ports

/// What an Argo artifact's stored bytes hold, read within limits: Argo packs an artifact as a gzipped tar by default
/// (`archive: {tar: {}}`, key `….tgz`), leaves it as it is with `archive: {none: {}}`, and a program may have written
/// a `.gz` file itself. Only a prefix of a large artifact is ever fetched, so every reader here takes truncated
/// input and says how far it got instead of failing.
public enum ArtifactArchive {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// gzip's magic number.
    public static func isGzip(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
    }

    /// The first `limit` bytes that a gzip stream (possibly cut short) inflates to; `complete` when the stream
    /// ended within them. zlib inflates into a buffer of `limit` bytes, so a small compressed input that would
    /// inflate to gigabytes (a "zip bomb") costs no more than `limit`.
    public static func gunzip(_ data: Data, limit: Int) throws -> (data: Data, complete: Bool) {
        guard !data.isEmpty, limit > 0 else { return (Data(), data.isEmpty) }
        let inflater: ZlibDecompressor
        do {
            inflater = try ZlibDecompressor(algorithm: .gzip)
        } catch {
            throw Failure("zlib could not start: \(error)")
        }
        var input = ByteBuffer(bytes: data)
        var output = ByteBufferAllocator().buffer(capacity: limit)
        do {
            try inflater.inflate(from: &input, to: &output)
            // zlib reports a stream that simply ran out of input like one that ended; gzip's trailer tells them
            // apart: its last four bytes are the inflated size (mod 2^32), which a cut stream's bytes do not match.
            let inflated = Data(output.readableBytesView.prefix(limit))
            let tail = [UInt8](data.suffix(4))
            let size = tail.count == 4 ? tail.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) } : 0
            return (inflated, data.count >= 18 && UInt32(truncatingIfNeeded: inflated.count) == size)
        } catch let error as CompressNIOError where error == .bufferOverflow {
            return (Data(output.readableBytesView.prefix(limit)), false)
        } catch let error as CompressNIOError where error == .inputBufferOverflow {
            // The input ended before the stream did: it was cut at the fetch limit.
            return (Data(output.readableBytesView.prefix(limit)), false)
        } catch let error as CompressNIOError where error == .corruptData {
            throw Failure("the gzip data is corrupt")
        } catch {
            throw Failure("the gzip data could not be read: \(error)")
        }
    }

    /// gzip of `data` (the simulator packs its artifacts as Argo does).
    public static func gzip(_ data: Data) throws -> Data {
        var buffer = ByteBuffer(bytes: data)
        do {
            let packed = try buffer.compress(with: .gzip())
            return Data(packed.readableBytesView)
        } catch {
            throw Failure("gzip failed: \(error)")
        }
    }
}

/// A tar archive (POSIX ustar, with GNU long names and pax path records, as Go's `archive/tar` writes them for
/// Argo's executor) read from a possibly truncated prefix.
public enum Tar {
    public typealias Entry = ArchiveEntry

    /// Whether `data` starts like a tar archive (the `ustar` magic at offset 257 of the first header).
    public static func looksLikeTar(_ data: Data) -> Bool {
        guard data.count >= 263 else { return false }
        let start = data.startIndex
        return data[(start + 257)..<(start + 262)].elementsEqual("ustar".utf8)
    }

    /// The entries found in `data`, at most `maxEntries`; `truncated` when the input ended inside the archive.
    public static func entries(_ data: Data, maxEntries: Int = 1000) -> (entries: [Entry], truncated: Bool) {
        let bytes = [UInt8](data)
        var entries: [Entry] = []
        var offset = 0
        var pendingName: String?
        while offset + 512 <= bytes.count, entries.count < maxEntries {
            let header = bytes[offset..<(offset + 512)]
            if header.allSatisfy({ $0 == 0 }) { return (entries, false) }
            guard let size = octal(bytes, offset + 124, 12) else { return (entries, true) }
            let type = bytes[offset + 156]
            let dataStart = offset + 512
            let available = max(0, min(size, bytes.count - dataStart))
            let body = Data(bytes[dataStart..<(dataStart + available)])
            // Next header: the data rounded up to whole blocks (checked: a hostile size must not overflow).
            let (blocks, overflow) = size.addingReportingOverflow(511)
            guard !overflow else { return (entries, true) }
            let (next, overflow2) = dataStart.addingReportingOverflow(blocks / 512 * 512)
            guard !overflow2 else { return (entries, true) }
            switch type {
            case UInt8(ascii: "L"):
                // GNU long name: the next entry's name is this entry's data.
                pendingName = text(body)
            case UInt8(ascii: "x"):
                pendingName = paxPath(body) ?? pendingName
            case UInt8(ascii: "g"):
                break
            default:
                var name = text(Data(bytes[offset..<(offset + 100)]))
                let prefix = text(Data(bytes[(offset + 345)..<(offset + 500)]))
                if !prefix.isEmpty { name = prefix + "/" + name }
                if let long = pendingName { name = long }
                pendingName = nil
                entries.append(
                    Entry(
                        name: name, size: size, isDirectory: type == UInt8(ascii: "5") || name.hasSuffix("/"),
                        contents: body))
            }
            if available < size { return (entries, true) }
            offset = next
        }
        return (entries, offset < bytes.count && entries.count < maxEntries)
    }

    /// A tar archive of regular files (for the simulator).
    public static func archive(_ files: [(name: String, contents: Data)]) -> Data {
        var out = Data()
        for file in files {
            var header = [UInt8](repeating: 0, count: 512)
            func put(_ s: String, _ at: Int, _ width: Int) {
                for (i, b) in s.utf8.prefix(width).enumerated() { header[at + i] = b }
            }
            put(file.name, 0, 100)
            put("0000644\0", 100, 8)
            put("0000000\0", 108, 8)
            put("0000000\0", 116, 8)
            put(String(format: "%011o\0", file.contents.count), 124, 12)
            put("00000000000\0", 136, 12)
            put("        ", 148, 8)
            header[156] = UInt8(ascii: "0")
            put("ustar\0", 257, 6)
            put("00", 263, 2)
            let sum = header.reduce(0) { $0 + Int($1) }
            put(String(format: "%06o\0 ", sum), 148, 8)
            out.append(contentsOf: header)
            out.append(file.contents)
            let pad = (512 - file.contents.count % 512) % 512
            out.append(Data(repeating: 0, count: pad))
        }
        out.append(Data(repeating: 0, count: 1024))
        return out
    }

    static func octal(_ bytes: [UInt8], _ at: Int, _ width: Int) -> Int? {
        var value = 0
        var seen = false
        for b in bytes[at..<(at + width)] {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                let (shifted, o1) = value.multipliedReportingOverflow(by: 8)
                let (sum, o2) = shifted.addingReportingOverflow(Int(b - UInt8(ascii: "0")))
                guard !o1, !o2 else { return nil }
                value = sum
                seen = true
            case 0, UInt8(ascii: " "):
                if seen { return value }
            default:
                return nil
            }
        }
        return seen ? value : 0
    }

    static func text(_ data: Data) -> String {
        String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// `path=` from a pax extended header (`"%d path=%s\n"` records).
    static func paxPath(_ data: Data) -> String? {
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            let record = line[line.index(after: space)...]
            if record.hasPrefix("path=") { return String(record.dropFirst(5)) }
        }
        return nil
    }
}

/// The domain's `ArtifactUnpacking` port over this library.
public struct ArchiveUnpacker: ArtifactUnpacking {
    public init() {}
    public func isGzip(_ data: Data) -> Bool { ArtifactArchive.isGzip(data) }
    public func gunzip(_ data: Data, limit: Int) throws -> (data: Data, complete: Bool) {
        try ArtifactArchive.gunzip(data, limit: limit)
    }
    public func isTar(_ data: Data) -> Bool { Tar.looksLikeTar(data) }
    public func tarEntries(_ data: Data) -> (entries: [ArchiveEntry], truncated: Bool) { Tar.entries(data) }
}
