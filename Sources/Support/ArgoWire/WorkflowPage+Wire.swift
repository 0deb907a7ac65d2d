import Foundation
import Ports

/// A page of Argo's workflow list as the wire gives it: decoded leniently, and merged without the repeats Argo's
/// live-then-archived paging produces.
extension WorkflowPage {
    /// Keeps the first row of each uid (the live copy: Argo puts live rows before archived ones); rows without a
    /// uid are all kept.
    public mutating func removeDuplicateUIDs() {
        var seen = Set<String>()
        let before = items.count
        items = items.filter { wf in
            guard let uid = wf.metadata.uid, !uid.isEmpty else { return true }
            return seen.insert(uid).inserted
        }
        duplicateItems += before - items.count
    }

    /// How many live workflows are read, at most, to recognise archived rows that repeat them.
    public static let liveScanLimit = 10_000
    /// How many further server pages are read, at most, to fill a page that repeats left short.
    public static let fillRounds = 24

    /// One page of Argo's merged workflow list without repeats. Argo fills a page with live rows first, then
    /// archived ones, paging by one offset over both, and sorts each page on its own
    /// (`server/workflow/workflow_server.go` `ListWorkflows`). A completed workflow is in the archive while its
    /// live object still exists: v3.5.0–v3.5.6 list it twice, and from v3.5.7 the live rows leave out what the
    /// controller labelled `Archived` (`server/workflow/store/sqlite_store.go`), so a repeat remains only between
    /// the controller's archive write and its label; a repeat shows on the page where both meet or on a later
    /// page. The repeats are left out (and counted in `duplicateItems`), and a page they left short is
    /// filled from the server's next pages, each asked for exactly the rows missing, so the continue token stays
    /// the server's offset.
    ///
    /// To recognise repeats on a page past the live rows, `fetch` reads the server's pages from the start (the
    /// same filters, uids and labels only) up to the first page with an archived row: every live row is on
    /// those pages. Only pages with archived rows past the first page pay for this.
    public static func merged(
        _ query: WorkflowListQuery, fetch: (WorkflowListQuery) async throws -> WorkflowPage
    ) async throws -> WorkflowPage {
        var result = try await fetch(query)
        result.removeDuplicateUIDs()
        var seen = Set(result.items.compactMap(\.metadata.uid))
        var live: Set<String>?
        var notes: [String] = []
        func liveUIDs() async throws -> Set<String> {
            if let live { return live }
            var probe = query
            probe.continueToken = nil
            probe.limit = 500
            probe.fields = "metadata,items.metadata.uid,items.metadata.labels"
            var found = Set<String>()
            var read = 0
            while read < liveScanLimit {
                let page = try await fetch(probe)
                for wf in page.items where !wf.isArchivedCopy {
                    if let uid = wf.metadata.uid { found.insert(uid) }
                }
                read += page.items.count
                guard !page.items.contains(where: \.isArchivedCopy), let next = page.continueToken,
                    !page.items.isEmpty
                else { break }
                probe.continueToken = next
            }
            if read >= liveScanLimit {
                notes.append(
                    "archived rows here may repeat live workflows listed on earlier pages (more than \(liveScanLimit) live workflows; only those were compared)"
                )
            }
            live = found
            return found
        }
        func isRepeat(_ wf: Workflow, known: Set<String>) -> Bool {
            wf.isArchivedCopy && wf.metadata.uid.map(known.contains) == true
        }
        if query.continueToken != nil, result.items.contains(where: \.isArchivedCopy) {
            let known = try await liveUIDs()
            let before = result.items.count
            result.items.removeAll { isRepeat($0, known: known) }
            result.duplicateItems += before - result.items.count
        }
        // Fill from the server's next rows. A stretch of repeats (every completed live workflow has one) is
        // crossed in doubling chunks; a chunk that would overfill the page is read again at the size missing,
        // so every row read is either kept or a repeat and the token stays exact.
        var rounds = 0
        var chunk = 0
        while let limit = query.limit, limit > 0, result.items.count < limit, let token = result.continueToken,
            rounds < fillRounds, result.duplicateItems > 0
        {
            rounds += 1
            let missing = limit - result.items.count
            chunk = max(chunk, missing)
            var next = query
            next.continueToken = token
            next.limit = chunk
            var page = try await fetch(next)
            var known = page.items.contains(where: \.isArchivedCopy) ? try await liveUIDs() : []
            func fresh(_ wf: Workflow) -> Bool {
                !isRepeat(wf, known: known) && wf.metadata.uid.map { !seen.contains($0) } != false
            }
            if chunk > missing, page.items.filter(fresh).count > missing {
                next.limit = missing
                page = try await fetch(next)
                known = page.items.contains(where: \.isArchivedCopy) ? try await liveUIDs() : []
            }
            var kept = 0
            for wf in page.items {
                if fresh(wf) {
                    result.items.append(wf)
                    kept += 1
                    if let uid = wf.metadata.uid { seen.insert(uid) }
                } else {
                    result.duplicateItems += 1
                }
            }
            result.unreadableItems += page.unreadableItems
            result.continueToken = page.continueToken
            result.remainingItemCount = page.remainingItemCount
            if page.items.isEmpty { break }
            chunk = kept == 0 ? min(chunk * 2, 500) : missing - kept
        }
        result.notes += notes
        return result
    }

    private struct Body: Decodable {
        struct Meta: Decodable {
            var `continue`: String?
            var remainingItemCount: Int?
        }
        var items: [Lenient<Workflow>]?
        var metadata: Meta?
    }

    /// Decodes Argo's `WorkflowList` JSON (`items` may be null when empty); an item that is not an object is left
    /// out and counted.
    public static func decode(from data: Data) throws -> WorkflowPage {
        let body = try JSONDecoder().decode(Body.self, from: data)
        let token = body.metadata?.continue.flatMap { $0.isEmpty ? nil : $0 }
        let items = body.items?.compactMap(\.value) ?? []
        var page = WorkflowPage(
            items: items, continueToken: token, remainingItemCount: body.metadata?.remainingItemCount)
        page.unreadableItems = (body.items?.count ?? 0) - items.count
        return page
    }
}
