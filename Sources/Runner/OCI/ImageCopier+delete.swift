/// Mirroring a delete: remove a tag (or a manifest) at the destination.
import AsyncHTTPClient
import NIOCore

extension ImageCopier {
    /// Deletes `reference` (a tag or a digest) from `repository`; returns what happened, in a few words.
    /// Registries that cannot delete a tag alone (Distribution 2.x) get the tag's manifest deleted by
    /// digest, which removes every tag pointing at it there, as the same delete did at the source.
    public func delete(_ reference: String, in repository: RegistryRepository,
                       deadline: NIODeadline) async throws(OCIError) -> String {
        let isDigest = reference.contains(":")
        let first = try await deleteManifest(reference, in: repository, deadline: deadline)
        switch first {
        case 200, 202: return "deleted \(repository)\(isDigest ? "@" : ":")\(reference)"
        case 404: return "\(repository)\(isDigest ? "@" : ":")\(reference) was already absent"
        case 400 where !isDigest, 405 where !isDigest:
            guard let digest = try await resolve(reference, in: repository, deadline: deadline) else {
                return "\(repository):\(reference) was already absent"
            }
            switch try await deleteManifest(digest, in: repository, deadline: deadline) {
            case 200, 202: return "deleted \(repository)@\(digest) (the manifest of tag \(reference))"
            case 404: return "\(repository)@\(digest) was already absent"
            case let status: throw OCIError.status(status, "DELETE \(repository) manifest \(digest)")
            }
        case let status:
            let hint = status == 405 ? " (the destination registry has deletes disabled)" : ""
            throw OCIError.status(status, "DELETE \(repository) manifest \(reference)\(hint)")
        }
    }

    private func deleteManifest(_ reference: String, in repository: RegistryRepository,
                                deadline: NIODeadline) async throws(OCIError) -> Int {
        let response = try await destination.send(.DELETE, "\(repository.apiBase)/manifests/\(reference)", on: repository,
                                                  access: .push(repository), deadline: deadline)
        await RegistryClient.discard(response)
        return Int(response.status.code)
    }

    /// The digest a tag points at, from a HEAD; nil when the tag does not exist.
    private func resolve(_ tag: String, in repository: RegistryRepository, deadline: NIODeadline) async throws(OCIError) -> String? {
        let response = try await destination.send(.HEAD, "\(repository.apiBase)/manifests/\(tag)", on: repository,
                                                  access: .push(repository), headers: [("Accept", Manifest.accept)],
                                                  deadline: deadline)
        await RegistryClient.discard(response)
        switch Int(response.status.code) {
        case 200: return response.headers.first(name: "Docker-Content-Digest")
        case 404: return nil
        case let status: throw OCIError.status(status, "HEAD \(repository) manifest \(tag)")
        }
    }
}
