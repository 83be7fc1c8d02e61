/// Referrers: the signatures, SBOMs and attestations whose `subject` is the copied image.
import AsyncHTTPClient
import NIOCore

extension ImageCopier {
    /// Copies every artifact that refers to `digest`: from the referrers API, or, on registries without
    /// it, from the fallback tag `sha256-<hex>` that the OCI 1.1 spec defines (that tag is copied too).
    func copyReferrers(of digest: String, run: CopyRun, deadline: NIODeadline) async throws(OCIError) {
        let (from, to) = (run.request.source, run.request.destination)
        let fallbackTag = digest.replacingOccurrences(of: ":", with: "-")
        let listing: (index: Manifest, tag: String?)
        if let index = try await referrersFromAPI(of: digest, in: from, deadline: deadline) {
            listing = (index, nil)
        } else {
            let fetched: Manifest
            do {
                fetched = try await fetchManifest(from, fallbackTag, deadline: deadline)
            } catch {
                if error.isNotFound { return }
                throw error
            }
            guard fetched.isIndex else { return }
            listing = (fetched, fallbackTag)
        }
        for referrer in listing.index.children {
            let manifest = try await fetchManifest(from, referrer.digest, deadline: deadline)
            try await copyContent(of: manifest, run: run, deadline: deadline)
            try await push(manifest, to: to, reference: manifest.digest, run: run, deadline: deadline)
            run.count { $0.referrers += 1 }
        }
        if let tag = listing.tag {
            try await push(listing.index, to: to, reference: tag, run: run, deadline: deadline)
        }
    }

    /// `GET /v2/<name>/referrers/<digest>`; nil when the registry does not implement it.
    private func referrersFromAPI(of digest: String, in repository: RegistryRepository,
                                  deadline: NIODeadline) async throws(OCIError) -> Manifest? {
        let response = try await source.send(.GET, "\(repository.apiBase)/referrers/\(digest)", on: repository,
                                             access: .pull(repository),
                                             headers: [("Accept", "application/vnd.oci.image.index.v1+json")],
                                             deadline: deadline)
        let contentType = response.headers.first(name: "Content-Type") ?? ""
        guard response.status.code == 200, contentType.hasPrefix("application/vnd.oci.image.index.v1+json") else {
            await RegistryClient.discard(response)
            return nil
        }
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: 4 << 20)
        } catch {
            throw OCIError("cannot read the referrers of \(digest): \(error)", retryable: true)
        }
        return try Manifest(bytes: Array(body.readableBytesView), contentType: contentType, expectedDigest: nil)
    }
}
