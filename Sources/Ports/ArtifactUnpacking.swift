import Foundation

/// Reads how an artifact's stored bytes are packed (gzip, tar), within limits and from a possibly truncated
/// prefix. The domain decides what a model is shown; an adapter library does the inflating and the tar reading
/// (`ArchiveUnpacker` in `Sources/Support/ArtifactArchive`), so the domain does not carry zlib or NIO.
public protocol ArtifactUnpacking: Sendable {
    /// Whether `data` starts with gzip's magic number.
    func isGzip(_ data: Data) -> Bool
    /// The first `limit` bytes that a gzip stream (possibly cut short) inflates to; `complete` when the stream
    /// ended within them. Throws when the bytes are not a gzip stream after all.
    func gunzip(_ data: Data, limit: Int) throws -> (data: Data, complete: Bool)
    /// Whether `data` starts like a tar archive.
    func isTar(_ data: Data) -> Bool
    /// The entries found in `data`; `truncated` when the input ended inside the archive.
    func tarEntries(_ data: Data) -> (entries: [ArchiveEntry], truncated: Bool)
}

/// One entry of a tar archive.
public struct ArchiveEntry: Sendable, Equatable {
    public var name: String
    /// The size the header declares.
    public var size: Int
    public var isDirectory: Bool
    /// The bytes of the file present in the input (fewer than `size` when the input was cut).
    public var contents: Data

    public init(name: String, size: Int, isDirectory: Bool, contents: Data) {
        self.name = name
        self.size = size
        self.isDirectory = isDirectory
        self.contents = contents
    }
}
