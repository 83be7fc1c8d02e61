/// Blobs: skip what the destination has, mount within one registry, otherwise stream GET into PUT.
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension ImageCopier {
    /// Copies `blobs`, at most `blobParallelism` at a time.
    func copyBlobs(_ blobs: [Descriptor], run: CopyRun, deadline: NIODeadline) async throws(OCIError) {
        let todo = blobs.filter { run.claim($0.digest) }
        guard !todo.isEmpty else { return }
        // One token request before the parallel part, rather than one per blob.
        try await destination.authorize(run.request.destination, access: .push(run.request.destination), deadline: deadline)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                var next = todo.makeIterator()
                for _ in 0..<min(blobParallelism, todo.count) {
                    guard let blob = next.next() else { break }
                    group.addTask { try await copyBlob(blob, run: run, deadline: deadline) }
                }
                while try await group.next() != nil {
                    if let blob = next.next() {
                        group.addTask { try await copyBlob(blob, run: run, deadline: deadline) }
                    }
                }
            }
        } catch let error as OCIError {
            throw error
        } catch {
            throw OCIError("copying blobs failed: \(error)", retryable: true)
        }
    }

    /// One blob, tried again from the start (bounded) when streaming it fails in a way that may pass.
    func copyBlob(_ blob: Descriptor, run: CopyRun, deadline: NIODeadline) async throws(OCIError) {
        let target = run.request.destination
        if try await destinationHas(blob, in: target, deadline: deadline) {
            run.count { $0.blobsPresent += 1 }
            return
        }
        guard var location = try await startUpload(blob, run: run, deadline: deadline) else {
            run.count { $0.blobsMounted += 1 }
            return
        }
        var tries = 0
        while true {
            tries += 1
            let outcome: Result<Int64, OCIError>
            // A Result rather than `catch where`: that form over a typed throw crashes the 6.3 compiler.
            do {
                outcome = .success(try await stream(blob, to: location, run: run, deadline: deadline))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let bytes):
                run.count {
                    $0.blobsCopied += 1
                    $0.bytesCopied += bytes
                }
                return
            case .failure(let error):
                guard error.isRetryable, tries < destination.triesPerRequest, NIODeadline.now() < deadline else { throw error }
                destination.logger.warning("copying a blob failed; starting its upload again",
                                           metadata: ["blob": "\(blob.digest)", "error": "\(error.message)"])
                guard let again = try await startUpload(blob, run: run, deadline: deadline, mount: false) else { return }
                location = again
            }
        }
    }

    /// HEAD on the destination blob: does it exist already?
    private func destinationHas(_ blob: Descriptor, in repository: RegistryRepository,
                                deadline: NIODeadline) async throws(OCIError) -> Bool {
        let response = try await destination.send(.HEAD, "\(repository.apiBase)/blobs/\(blob.digest)", on: repository,
                                                  access: .push(repository), deadline: deadline)
        await RegistryClient.discard(response)
        switch Int(response.status.code) {
        case 200: return true
        case 404: return false
        case let status: throw OCIError.status(status, "HEAD \(repository) blob \(blob.digest)")
        }
    }

    /// POST an upload: a mount from the source repository when both are on one registry (nil: mounted),
    /// otherwise the upload's location.
    private func startUpload(_ blob: Descriptor, run: CopyRun, deadline: NIODeadline,
                             mount: Bool = true) async throws(OCIError) -> String? {
        let (from, to) = (run.request.source, run.request.destination)
        var url = "\(to.apiBase)/blobs/uploads/"
        var access = RegistryClient.Access.push(to)
        let mounting = mount && from.host == to.host && from.insecure == to.insecure && from.name != to.name
        if mounting {
            let name = from.name.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? from.name
            url += "?mount=\(blob.digest)&from=\(name)"
            access = .mount(to, from: from)
        }
        let response = try await destination.send(.POST, url, on: to, access: access,
                                                  headers: [("Content-Length", "0")], deadline: deadline)
        let status = Int(response.status.code)
        let body = await RegistryClient.excerpt(response)
        if mounting, status == 201 { return nil }
        guard status == 202, let location = response.headers.first(name: "Location") else {
            throw OCIError.status(status, "POST \(to) blob upload", body: body)
        }
        return Self.absolute(location, base: to)
    }

    /// GET from the source piped into the upload's closing PUT; returns the bytes sent.
    private func stream(_ blob: Descriptor, to location: String, run: CopyRun,
                        deadline: NIODeadline) async throws(OCIError) -> Int64 {
        let (from, to) = (run.request.source, run.request.destination)
        let response = try await source.send(.GET, "\(from.apiBase)/blobs/\(blob.digest)", on: from,
                                             access: .pull(from), deadline: deadline)
        let status = Int(response.status.code)
        guard status == 200 else {
            let body = await RegistryClient.excerpt(response)
            throw OCIError.status(status, "GET \(from) blob \(blob.digest)", body: body)
        }
        let length = blob.size ?? response.headers.first(name: "Content-Length").flatMap { Int64($0) }
        let tally = DigestingBody.Tally()
        let body = DigestingBody(base: response.body, tally: tally)
        let separator = location.contains("?") ? "&" : "?"
        let put = try await destination.send(.PUT, "\(location)\(separator)digest=\(blob.digest)", on: to, access: .push(to),
                                             headers: [("Content-Type", "application/octet-stream")],
                                             body: .stream(body, length: length.map { .known($0) } ?? .unknown),
                                             canResend: false, deadline: deadline)
        let putStatus = Int(put.status.code)
        let answer = await RegistryClient.excerpt(put)
        guard putStatus == 201 else {
            throw OCIError.status(putStatus, "PUT \(to) blob \(blob.digest)", body: answer)
        }
        if blob.digest.hasPrefix("sha256:"), let sent = tally.digest, sent != blob.digest {
            throw OCIError("the source served \(sent) for the blob \(blob.digest)", retryable: true)
        }
        return tally.bytes
    }

    /// A `Location` header made absolute against the registry.
    static func absolute(_ location: String, base: RegistryRepository) -> String {
        if location.hasPrefix("http://") || location.hasPrefix("https://") { return location }
        let prefix = "\(base.insecure ? "http" : "https")://\(base.host)"
        return location.hasPrefix("/") ? prefix + location : prefix + "/" + location
    }
}
