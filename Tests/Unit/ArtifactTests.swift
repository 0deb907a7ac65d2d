import ArgoWire
import ArtifactArchive
import Foundation
import Ports
import Testing

@testable import ArgoSimulator
@testable import Domain

@Suite("artifacts: archives read within limits, node IO, the simulator's artifact service")
struct ArtifactTests {
    @Test("gzip: a round trip, a stream cut short, corrupt data, and a bomb bounded by the limit")
    func gunzip() throws {
        let text = Data(String(repeating: "line of text\n", count: 1000).utf8)
        let packed = try ArtifactArchive.gzip(text)
        #expect(ArtifactArchive.isGzip(packed))
        #expect(!ArtifactArchive.isGzip(text))

        let whole = try ArtifactArchive.gunzip(packed, limit: 1 << 20)
        #expect(whole.data == text)
        #expect(whole.complete)

        let head = try ArtifactArchive.gunzip(packed, limit: 100)
        #expect(head.data == text.prefix(100))
        #expect(!head.complete)

        // Only the first part of the compressed bytes was fetched.
        let cut = try ArtifactArchive.gunzip(packed.prefix(packed.count / 2), limit: 1 << 20)
        #expect(!cut.complete)
        #expect(text.starts(with: cut.data))

        var corrupt = packed
        corrupt[12] ^= 0xFF
        corrupt[13] ^= 0xFF
        #expect(throws: ArtifactArchive.Failure.self) { try ArtifactArchive.gunzip(corrupt, limit: 1 << 20) }

        // 64 MiB of zeros compress to ~64 KiB; inflating stops at the limit.
        let bomb = try ArtifactArchive.gzip(Data(count: 64 << 20))
        let bounded = try ArtifactArchive.gunzip(bomb, limit: 4096)
        #expect(bounded.data.count == 4096)
        #expect(!bounded.complete)
    }

    @Test("tar: entries, long names, a cut archive, and a hostile size field")
    func tar() throws {
        let long = String(repeating: "d/", count: 70) + "file.txt"
        var archive = Tar.archive([("a.txt", Data("alpha\n".utf8)), ("b/c.txt", Data("gamma\n".utf8))])
        #expect(Tar.looksLikeTar(archive))
        let (entries, truncated) = Tar.entries(archive)
        #expect(entries.map(\.name) == ["a.txt", "b/c.txt"])
        #expect(entries.map { String(decoding: $0.contents, as: UTF8.self) } == ["alpha\n", "gamma\n"])
        #expect(!truncated)

        // A GNU long-name record ('L') names the entry after it.
        var header = [UInt8](Tar.archive([("././@LongLink", Data((long + "\0").utf8))]).prefix(512))
        header[156] = UInt8(ascii: "L")
        let body = Data((long + "\0").utf8)
        var withLong = Data(header) + body + Data(count: (512 - body.count % 512) % 512)
        withLong += Tar.archive([("short", Data("x".utf8))])
        #expect(Tar.entries(withLong).entries.map(\.name) == [long])

        // Cut inside the second file.
        let (partial, cut) = Tar.entries(archive.prefix(512 + 512 + 512 + 3))
        #expect(cut)
        #expect(partial.count == 2)
        #expect(partial[1].contents.count == 3)

        // A size field of all 7s must not overflow or read past the end.
        for (i, b) in "77777777777\0".utf8.enumerated() { archive[124 + i] = b }
        let hostile = Tar.entries(archive)
        #expect(hostile.truncated)
        #expect(hostile.entries.first?.contents.count == archive.count - 512)
    }

    @Test("node IO: supplied outputs and choices, artifact repository, key and packing, GC'd artifacts")
    func nodeIO() throws {
        let json = #"""
            {"metadata":{"name":"w"},"status":{"nodes":{"n1":{"id":"n1","name":"w.approve","type":"Suspend",
             "inputs":{"parameters":[{"name":"approve","default":"NO","enum":["YES","NO"],"value":"NO"}]},
             "outputs":{"parameters":[{"name":"approve","valueFrom":{"supplied":{}}},{"name":"done","value":"1"}],
              "artifacts":[{"name":"a","path":"/tmp/a","s3":{"key":"w/p/a.tgz","bucket":"b"}},
                           {"name":"b","archive":{"none":{}},"gcs":{"key":"w/p/b.csv"}},
                           {"name":"log","s3":{"key":"w/p/main.log"}},
                           {"name":"g","git":{"repo":"https://example.com/r.git"}},
                           {"name":"old","deleted":true,"s3":{"key":"w/p/old.tgz"}},
                           {"name":"r","raw":{"data":"hi"}}]}}}}}
            """#
        let wf = try Workflow.decode(from: Data(json.utf8))
        let io = try #require(wf.nodeIO(id: "n1"))
        #expect(io.inputs.parameters.first?.enum == ["YES", "NO"])
        #expect(io.outputs.parameters.map(\.supplied) == [true, false])
        let arts = io.outputs.artifacts
        #expect(arts.map(\.repository) == ["s3", "gcs", "s3", "git", "s3", "raw"])
        #expect(arts.map(\.archive) == ["tgz", "none", "none", "tgz", "tgz", "none"])
        #expect(arts[3].key == "https://example.com/r.git")
        #expect(arts[4].deleted)
        #expect(arts[5].size == 2)
        #expect(arts[0].size == nil)
        #expect(wf.nodeIO(id: "missing") == nil)
        #expect(wf.allNodeIO().keys.sorted() == ["n1"])
    }

    @Test("node field selectors: Kubernetes syntax over SelectorMatchesNode's fields")
    func selectors() throws {
        let node = JSONValue.object([
            "id": "w-1", "name": "w[1].approval", "displayName": "approval", "phase": "Running",
            "templateName": "approve",
            "inputs": .object(["parameters": .array([.object(["name": "env", "value": "prod"])])]),
        ])
        func matches(_ s: String) throws -> Bool { try NodeFieldSelector(s).matches(node) }
        #expect(try matches("id=w-1"))
        #expect(try matches("displayName==approval,phase=Running"))
        #expect(try !matches("displayName=approval,phase!=Running"))
        #expect(try matches("inputs.parameters.env.value=prod"))
        #expect(try matches("templateRef.name!=x"))
        #expect(try !matches("templateRef.name=x"))
        #expect(throws: (any Error).self) { try NodeFieldSelector("approval") }
    }

    @Test("directory listings and binary detection")
    func shapes() {
        let listing = Data(
            "<html><body><ul>\n<li><a href=\"..\">..</a></li>\n<li><a href=\"./a.txt\">a.txt</a></li>\n<li><a href=\"./d/\">d/</a></li>\n</ul></body></html>"
                .utf8)
        #expect(ArtifactReads.directoryListing(listing) == ["a.txt", "d/"])
        #expect(ArtifactReads.directoryListing(Data("<html>other</html>".utf8)) == nil)
        #expect(ArtifactReads.isBinary(Data([0x89, 0x50, 0x4E, 0x47, 0, 1])))
        #expect(!ArtifactReads.isBinary(Data("héllo".utf8)))
        // A multi-byte character cut by the fetch limit is still text.
        #expect(!ArtifactReads.isBinary(Data("héllo".utf8).prefix(2)))
        #expect(ArtifactReads.isBinary(Data([0xFF, 0xFE, 0x41, 0x42, 0x43, 0x44])))
    }
}
