import Foundation
import Testing

extension EndToEndTests {
    /// The `replicate` action and `harbinger replicate` against real docker-registry instances (one behind
    /// htpasswd, one behind a Bearer-token endpoint), checked with skopeo and the registries' access logs.
    /// Nested in `EndToEndTests` so that it is serialized with it: these tests block their thread while
    /// they wait for processes, and two such suites side by side would hold both of a 2-core machine's
    /// cooperative threads and starve the async tests running meanwhile.
    @Suite struct Replication {
        static let user = "mirror", password = "s3cret-pass"

        /// Builds an image in an OCI layout and pushes it to `reference` (`host/repo:tag`).
        static func push(_ layout: URL, tag: String, to reference: String) throws {
            let image = try EndToEndTests.run("make-image.sh", [layout.path, tag])
            #expect(image.status == 0, "\(image.stderr)")
            let push = try Skopeo.copy("oci:\(layout.path):\(tag)", "docker://\(reference)")
            #expect(push.status == 0, "\(push.stderr)")
        }

        /// The `Docker-Content-Digest` a registry answers for a manifest, nil when absent.
        static func digest(_ host: String, _ repository: String, _ reference: String, basic: String? = nil) throws -> String? {
            var arguments = ["-s", "-o", "/dev/null", "-I", "-w", "%{http_code} %header{docker-content-digest}",
                             "-H", "Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json"]
            if let basic { arguments += ["-u", basic] }
            let out = try Executable.run(URL(fileURLWithPath: "/usr/bin/curl"), arguments + ["http://\(host)/v2/\(repository)/manifests/\(reference)"])
            let parts = out.stdout.split(separator: " ")
            return parts.first == "200" && parts.count == 2 ? String(parts[1]) : nil
        }

        @Test func aPushIsReplicatedDigestForDigestASecondTagCopiesNoBlobAndADeleteIsMirrored() throws {
            let dir = try Loopback.temporaryDirectory("replicate")
            defer { try? FileManager.default.removeItem(at: dir) }
            let destination = try Registry(directory: dir.appendingPathComponent("dest"), auth: .basic(user: Self.user, password: Self.password))
            defer { destination.stop() }
            let server = try EndToEndTests.serve("""
                version: 1
                sources:
                  - { name: registry, kind: distribution }
                rules:
                  - name: mirror
                    when: { event: [push, delete], repository: "shop/**" }
                    do:
                      - replicate:
                          to: "\(destination.host)/mirror/{{repository}}"
                          tag: "{{tag}}"
                          insecure: true
                          mirror_deletes: true
                          credentials: { username: \(Self.user), password: \(Self.password) }
                """, in: dir)
            defer { server.child.stop() }
            let source = try Registry(directory: dir.appendingPathComponent("source"), notify: "\(server.base)/hooks/registry")
            defer { source.stop() }

            try Self.push(dir.appendingPathComponent("layout"), tag: "v1", to: "\(source.host)/shop/app:v1")
            let pushed = try #require(try Self.digest(source.host, "shop/app", "v1"))
            let creds = "\(Self.user):\(Self.password)"
            #expect(Loopback.waitFor(seconds: 60) { (try? Self.digest(destination.host, "mirror/shop/app", "v1", basic: creds)) == pushed },
                    "\(server.child.output)")
            #expect(try Skopeo.digest("\(destination.host)/mirror/shop/app:v1", creds: creds) == pushed)
            let uploads = destination.requests("PUT", "/v2/mirror/shop/app/blobs/uploads/")
            #expect(uploads == 2, "config and layer, once each")

            // A second tag of the same image: the manifest again, no blob.
            let retag = try Skopeo.copy("docker://\(source.host)/shop/app:v1", "docker://\(source.host)/shop/app:v2")
            #expect(retag.status == 0, "\(retag.stderr)")
            #expect(Loopback.waitFor(seconds: 60) { (try? Self.digest(destination.host, "mirror/shop/app", "v2", basic: creds)) == pushed })
            #expect(destination.requests("PUT", "/v2/mirror/shop/app/blobs/uploads/") == uploads)
            #expect(Loopback.waitFor(seconds: 30) { ((try? EndToEndTests.deliveries(server)) ?? []).count == 2 })
            #expect(Loopback.waitFor(seconds: 30) { ((try? EndToEndTests.deliveries(server)) ?? []).allSatisfy { $0["state"] as? String == "succeeded" } })
            let statuses = try EndToEndTests.deliveries(server).compactMap { $0["last_status"] as? String }
            #expect(statuses.contains { $0.contains("copied \(pushed) to \(destination.host)/mirror/shop/app:v2: 1 manifest, 0 blobs (0 B) copied, 2 already there") },
                    "\(statuses)")

            // Deleting the manifest at the source deletes it at the destination.
            let delete = try Executable.run(URL(fileURLWithPath: "/usr/bin/curl"), [
                "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE", "http://\(source.host)/v2/shop/app/manifests/\(pushed)",
            ])
            #expect(delete.stdout == "202")
            #expect(Loopback.waitFor(seconds: 60) { (try? Self.digest(destination.host, "mirror/shop/app", pushed, basic: creds)) == nil },
                    "\(server.child.output)")
            #expect(Loopback.waitFor(seconds: 30) { ((try? EndToEndTests.deliveries(server)) ?? []).allSatisfy { $0["state"] as? String == "succeeded" } })
        }

        @Test func aPushedMultiPlatformIndexReachesTheDestinationThroughTheServer() throws {
            let dir = try Loopback.temporaryDirectory("replicate-index")
            defer { try? FileManager.default.removeItem(at: dir) }
            let destination = try Registry(directory: dir.appendingPathComponent("dest"), auth: .basic(user: Self.user, password: Self.password))
            defer { destination.stop() }
            let server = try EndToEndTests.serve("""
                version: 1
                sources:
                  - { name: registry, kind: distribution }
                rules:
                  - name: mirror
                    when: { event: push }
                    do:
                      - replicate:
                          to: "\(destination.host)/{{repository}}"
                          insecure: true
                          credentials: { username: \(Self.user), password: \(Self.password) }
                """, in: dir)
            defer { server.child.stop() }
            let source = try Registry(directory: dir.appendingPathComponent("source"), notify: "\(server.base)/hooks/registry")
            defer { source.stop() }
            let layout = dir.appendingPathComponent("layout")
            let children = try Self.makeIndex(in: layout, tag: "multi", platforms: ["amd64", "arm64"])
            let push = try Skopeo.copy("oci:\(layout.path):multi", "docker://\(source.host)/multi/app:1", ["--all"])
            #expect(push.status == 0, "\(push.stderr)")
            let index = try #require(try Self.digest(source.host, "multi/app", "1"))

            let creds = "\(Self.user):\(Self.password)"
            #expect(Loopback.waitFor(seconds: 60) { (try? Self.digest(destination.host, "multi/app", "1", basic: creds)) == index },
                    "\(server.child.output)")
            for child in children.values {
                #expect(try Self.digest(destination.host, "multi/app", child, basic: creds) == child)
            }
            // The registry announced each child and the index; every copy succeeded.
            #expect(Loopback.waitFor(seconds: 30) {
                let deliveries = (try? EndToEndTests.deliveries(server)) ?? []
                return deliveries.count == 3 && deliveries.allSatisfy { $0["state"] as? String == "succeeded" }
            }, "\((try? EndToEndTests.deliveries(server)) ?? [])")
        }

        @Test func aScanBelowTheThresholdIsPromotedAndACriticalOneQuarantined() throws {
            let dir = try Loopback.temporaryDirectory("gate")
            defer { try? FileManager.default.removeItem(at: dir) }
            let source = try Registry(directory: dir.appendingPathComponent("source"))
            defer { source.stop() }
            let destination = try Registry(directory: dir.appendingPathComponent("dest"), auth: .basic(user: Self.user, password: Self.password))
            defer { destination.stop() }
            try Self.push(dir.appendingPathComponent("layout"), tag: "1.4.2", to: "\(source.host)/shop/web:1.4.2")
            let pushed = try #require(try Self.digest(source.host, "shop/web", "1.4.2"))
            let quarantine = dir.appendingPathComponent("quarantine.sh")
            try EndToEndTests.script("#!/bin/sh\necho \"$1 $2\" >> \"$(dirname \"$0\")/quarantined.txt\"\n", at: quarantine)
            let server = try EndToEndTests.serve("""
                version: 1
                sources:
                  - { name: harbor, kind: harbor }
                rules:
                  - name: promote
                    when: { event: scan_completed, repository: "shop/**", severity: { below: critical } }
                    do:
                      - replicate:
                          to: "\(destination.host)/prod/{{repository}}"
                          insecure: true
                          credentials: { username: \(Self.user), password: \(Self.password) }
                  - name: quarantine
                    when: { event: scan_completed, severity: { at_least: critical } }
                    do:
                      - shell: { command: ["\(quarantine.path)", "{{repository}}", "{{digest}}"] }
                """, in: dir)
            defer { server.child.stop() }

            // Harbor's scan payloads, pointed at the loopback registry and the image pushed there.
            let harbor = EndToEndTests.fixtures.appendingPathComponent("harbor")
            var high = try String(contentsOf: harbor.appendingPathComponent("scanning-completed.json"), encoding: .utf8)
            high = high.replacingOccurrences(of: "harbor.example.com", with: source.host)
                .replacingOccurrences(of: "sha256:3f1e0b6d8a4c2e7f9b1d5a3c7e9f1b3d5a7c9e1f3b5d7a9c1e3f5b7d9a1c3e5f", with: pushed)
            let highFile = dir.appendingPathComponent("high.json")
            try high.write(to: highFile, atomically: true, encoding: .utf8)
            #expect(try EndToEndTests.post(highFile, to: "\(server.base)/hooks/harbor", contentType: "application/json") == 202)
            let critical = harbor.appendingPathComponent("scanning-completed-native-report.json")
            #expect(try EndToEndTests.post(critical, to: "\(server.base)/hooks/harbor", contentType: "application/json") == 202)

            let creds = "\(Self.user):\(Self.password)"
            #expect(Loopback.waitFor(seconds: 60) { (try? Self.digest(destination.host, "prod/shop/web", "1.4.2", basic: creds)) == pushed },
                    "\(server.child.output)")
            let quarantined = dir.appendingPathComponent("quarantined.txt")
            #expect(Loopback.waitFor(seconds: 30) { FileManager.default.fileExists(atPath: quarantined.path) })
            #expect(Loopback.waitFor(seconds: 30) { ((try? EndToEndTests.deliveries(server)) ?? []).allSatisfy { $0["state"] as? String == "succeeded" } })
            let deliveries = try EndToEndTests.deliveries(server)
            #expect(deliveries.compactMap { $0["rule"] as? String }.sorted() == ["promote", "quarantine"])
            #expect(try String(contentsOf: quarantined, encoding: .utf8)
                    == "test-webhook/debian sha256:8a9e9863dbb6e10edb5adfe917c00da84e1700fa76e7ed02476aa6e6fb8ee0d8\n")
            // Nothing else reached the destination: the critical image was not promoted.
            #expect(destination.requests("PUT", "/v2/prod/test-webhook") == 0)
        }

        @Test func aMultiPlatformIndexIsCopiedWithEveryChildOrOnlyTheChosenPlatform() throws {
            let dir = try Loopback.temporaryDirectory("index")
            defer { try? FileManager.default.removeItem(at: dir) }
            let source = try Registry(directory: dir.appendingPathComponent("source"))
            defer { source.stop() }
            let destination = try Registry(directory: dir.appendingPathComponent("dest"))
            defer { destination.stop() }
            let layout = dir.appendingPathComponent("layout")
            let children = try Self.makeIndex(in: layout, tag: "multi", platforms: ["amd64", "arm64"])
            let push = try Skopeo.copy("oci:\(layout.path):multi", "docker://\(source.host)/multi/app:1", ["--all"])
            #expect(push.status == 0, "\(push.stderr)")
            let index = try #require(try Self.digest(source.host, "multi/app", "1"))

            let copied = try Executable.harbinger("replicate", "--insecure", "\(source.host)/multi/app:1", "\(destination.host)/multi/app:1")
            #expect(copied.status == 0, "\(copied.stderr)")
            #expect(copied.stdout.contains("copied \(index) to \(destination.host)/multi/app:1: 3 manifests"), "\(copied.stdout)")
            #expect(try Self.digest(destination.host, "multi/app", "1") == index)
            for child in children.values {
                #expect(try Self.digest(destination.host, "multi/app", child) == child)
            }

            // Only arm64: a new one-child index (so a new digest) over the same arm64 image.
            let arm = try Executable.harbinger("replicate", "--insecure", "--platform", "linux/arm64",
                                               "\(source.host)/multi/app:1", "\(destination.host)/arm/app:1")
            #expect(arm.status == 0, "\(arm.stderr)")
            let filtered = try #require(try Skopeo.rawManifest("\(destination.host)/arm/app:1"))
            let entries = try #require(filtered["manifests"] as? [[String: Any]])
            #expect(entries.compactMap { $0["digest"] as? String } == [children["arm64"]!])
            #expect(try Self.digest(destination.host, "arm/app", "1") != index)
            #expect(try Self.digest(destination.host, "arm/app", children["amd64"]!) == nil)

            // The same images as a Docker manifest list (skopeo converts the index on the way in).
            let list = try Skopeo.copy("oci:\(layout.path):multi", "docker://\(source.host)/list/app:1", ["--all", "--format", "v2s2"])
            #expect(list.status == 0, "\(list.stderr)")
            let listDigest = try #require(try Self.digest(source.host, "list/app", "1"))
            let listed = try Executable.harbinger("replicate", "--insecure", "\(source.host)/list/app:1", "\(destination.host)/list/app:1")
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect(try Self.digest(destination.host, "list/app", "1") == listDigest)
            let copiedList = try #require(try Skopeo.rawManifest("\(destination.host)/list/app:1"))
            #expect(copiedList["mediaType"] as? String == "application/vnd.docker.distribution.manifest.list.v2+json")

            // Within one registry, blobs are mounted from the repository that has them, not sent again.
            let mounted = try Executable.harbinger("replicate", "--insecure", "\(destination.host)/multi/app:1",
                                                   "\(destination.host)/copy/app:1")
            #expect(mounted.status == 0, "\(mounted.stderr)")
            #expect(mounted.stdout.contains("0 blobs (0 B) copied, 0 already there, 4 mounted"), "\(mounted.stdout)")
            #expect(try Self.digest(destination.host, "copy/app", "1") == index)
        }

        @Test func aRegistryBehindABearerTokenEndpointIsReplicatedThroughIt() throws {
            let dir = try Loopback.temporaryDirectory("token")
            defer { try? FileManager.default.removeItem(at: dir) }
            let key = dir.appendingPathComponent("key.pem"), certificate = dir.appendingPathComponent("cert.pem")
            let made = try Executable.run(URL(fileURLWithPath: "/usr/bin/openssl"), [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.path, "-out", certificate.path,
                "-days", "2", "-subj", "/CN=harbinger-test-token",
            ])
            #expect(made.status == 0, "\(made.stderr)")
            let tokens = try TokenServer(directory: dir, key: key, certificate: certificate, credentials: "alice:wonderland")
            defer { tokens.stop() }
            let source = try Registry(directory: dir.appendingPathComponent("source"))
            defer { source.stop() }
            let destination = try Registry(directory: dir.appendingPathComponent("dest"),
                                           auth: .token(realm: "http://127.0.0.1:\(tokens.port)/token", certificate: certificate))
            defer { destination.stop() }
            // A Docker schema 2 manifest this time (the other tests copy OCI ones).
            let layout = dir.appendingPathComponent("layout")
            let image = try EndToEndTests.run("make-image.sh", [layout.path, "v1"])
            #expect(image.status == 0, "\(image.stderr)")
            let push = try Skopeo.copy("oci:\(layout.path):v1", "docker://\(source.host)/shop/app:v1", ["--format", "v2s2"])
            #expect(push.status == 0, "\(push.stderr)")
            let pushed = try #require(try Self.digest(source.host, "shop/app", "v1"))
            let manifest = try #require(try Skopeo.rawManifest("\(source.host)/shop/app:v1"))
            #expect(manifest["mediaType"] as? String == "application/vnd.docker.distribution.manifest.v2+json")

            let refused = try Executable.harbinger("replicate", "--insecure", "--dest-creds", "alice:wrong",
                                                   "\(source.host)/shop/app:v1", "\(destination.host)/shop/app:v1")
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("HTTP 401 on the token endpoint http://127.0.0.1:\(tokens.port)/token"), "\(refused.stderr)")

            // The good credentials from a docker config.json, as `docker login` writes it.
            let config = dir.appendingPathComponent("config.json")
            let auth = Data("alice:wonderland".utf8).base64EncodedString()
            try #"{"auths": {"http://\#(destination.host)": {"auth": "\#(auth)"}}}"#.write(to: config, atomically: true, encoding: .utf8)
            let copied = try Executable.harbinger("replicate", "--insecure", "--docker-config", config.path,
                                                  "\(source.host)/shop/app:v1", "\(destination.host)/shop/app:v1")
            #expect(copied.status == 0, "\(copied.stderr)")
            #expect(try Skopeo.digest("\(destination.host)/shop/app:v1", creds: "alice:wonderland") == pushed)
            let requests = tokens.requests
            #expect(requests.contains { $0.authorised && $0.scopes == ["repository:shop/app:pull,push"] && $0.service == "test-registry" })
        }

        @Test func referrersAreCopiedWithTheImageThroughTheFallbackTag() throws {
            let dir = try Loopback.temporaryDirectory("referrers")
            defer { try? FileManager.default.removeItem(at: dir) }
            let source = try Registry(directory: dir.appendingPathComponent("source"))
            defer { source.stop() }
            let destination = try Registry(directory: dir.appendingPathComponent("dest"))
            defer { destination.stop() }
            try Self.push(dir.appendingPathComponent("layout"), tag: "v1", to: "\(source.host)/shop/app:v1")
            let pushed = try #require(try Self.digest(source.host, "shop/app", "v1"))
            let raw = try #require(try Skopeo.rawManifest("\(source.host)/shop/app:v1"))
            let size = try JSONSerialization.data(withJSONObject: raw).count  // only a hint for the subject descriptor
            let script = Executable.packageRoot.appendingPathComponent("Tests/HarbingerTests/Support/push_referrer.py").path
            let signed = try Executable.run(URL(fileURLWithPath: "/usr/bin/env"), [
                "python3", script, source.host, "shop/app", pushed, "\(size)", "application/vnd.oci.image.manifest.v1+json",
            ])
            #expect(signed.status == 0, "\(signed.stderr)")
            let signature = signed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let fallbackTag = pushed.replacingOccurrences(of: ":", with: "-")

            let copied = try Executable.harbinger("replicate", "--insecure", "--referrers",
                                                  "\(source.host)/shop/app:v1", "\(destination.host)/shop/app:v1")
            #expect(copied.status == 0, "\(copied.stderr)")
            #expect(copied.stdout.hasSuffix(", 1 referrer\n"), "\(copied.stdout)")
            #expect(try Self.digest(destination.host, "shop/app", signature) == signature)
            #expect(try Self.digest(destination.host, "shop/app", fallbackTag) == Self.digest(source.host, "shop/app", fallbackTag))

            // Without --referrers, the signature stays behind.
            let plain = try Executable.harbinger("replicate", "--insecure", "\(source.host)/shop/app:v1", "\(destination.host)/plain/app:v1")
            #expect(plain.status == 0, "\(plain.stderr)")
            #expect(try Self.digest(destination.host, "plain/app", signature) == nil)
        }

        @Test func registriesWithAPrivateCAAreReachedOverHTTPSWithTheCAFile() throws {
            let dir = try Loopback.temporaryDirectory("tls")
            defer { try? FileManager.default.removeItem(at: dir) }
            let key = dir.appendingPathComponent("key.pem"), certificate = dir.appendingPathComponent("cert.pem")
            let made = try Executable.run(URL(fileURLWithPath: "/usr/bin/openssl"), [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.path, "-out", certificate.path,
                "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            ])
            #expect(made.status == 0, "\(made.stderr)")
            let source = try Registry(directory: dir.appendingPathComponent("source"), tls: (certificate, key))
            defer { source.stop() }
            let destination = try Registry(directory: dir.appendingPathComponent("dest"), tls: (certificate, key))
            defer { destination.stop() }
            try Self.push(dir.appendingPathComponent("layout"), tag: "v1", to: "\(source.host)/shop/app:v1")
            let pushed = try #require(try Skopeo.digest("\(source.host)/shop/app:v1"))

            let untrusted = try Executable.harbinger("replicate", "\(source.host)/shop/app:v1", "\(destination.host)/shop/app:v1")
            #expect(untrusted.status == 1)
            #expect(untrusted.stderr.contains("TLS"), "\(untrusted.stderr)")
            let copied = try Executable.harbinger("replicate", "--ca-file", certificate.path,
                                                  "\(source.host)/shop/app:v1", "\(destination.host)/shop/app:v1")
            #expect(copied.status == 0, "\(copied.stderr)")
            #expect(try Skopeo.digest("\(destination.host)/shop/app:v1") == pushed)
        }

        /// Two images and an OCI index over them, tagged `tag`; returns the children's digests by architecture.
        static func makeIndex(in layout: URL, tag: String, platforms: [String]) throws -> [String: String] {
            var children: [String: String] = [:]
            var descriptors: [[String: Any]] = []
            for arch in platforms {
                let made = try EndToEndTests.run("make-image.sh", [layout.path, arch])
                #expect(made.status == 0, "\(made.stderr)")
            }
            let indexFile = layout.appendingPathComponent("index.json")
            var top = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: indexFile)) as? [String: Any])
            let manifests = top["manifests"] as? [[String: Any]] ?? []
            for arch in platforms {
                var entry = try #require(manifests.first { ($0["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] == arch })
                entry["annotations"] = nil
                entry["platform"] = ["os": "linux", "architecture": arch]
                children[arch] = entry["digest"] as? String
                descriptors.append(entry)
            }
            let index: [String: Any] = ["schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": descriptors]
            let bytes = try JSONSerialization.data(withJSONObject: index, options: [.sortedKeys])
            let written = layout.appendingPathComponent("index-blob.json")
            try bytes.write(to: written)
            let sum = try Executable.run(URL(fileURLWithPath: "/usr/bin/sha256sum"), [written.path])
            let hex = String(sum.stdout.prefix { $0 != " " })
            try FileManager.default.moveItem(at: written, to: layout.appendingPathComponent("blobs/sha256/\(hex)"))
            top["manifests"] = manifests + [[
                "mediaType": "application/vnd.oci.image.index.v1+json", "digest": "sha256:\(hex)", "size": bytes.count,
                "annotations": ["org.opencontainers.image.ref.name": tag],
            ]]
            try JSONSerialization.data(withJSONObject: top).write(to: indexFile)
            return children
        }
    }

}

/// Tests/HarbingerTests/Support/token_server.py as a child process.
final class TokenServer {
    struct Request {
        var scopes: [String]
        var service: String
        var authorised: Bool
    }

    let child: ChildProcess
    let port: Int
    let logFile: URL

    init(directory: URL, key: URL, certificate: URL, credentials: String) throws {
        let portFile = directory.appendingPathComponent("token.port")
        logFile = directory.appendingPathComponent("token.jsonl")
        let script = Executable.packageRoot.appendingPathComponent("Tests/HarbingerTests/Support/token_server.py").path
        child = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"),
                                 ["python3", script, portFile.path, logFile.path, key.path, certificate.path, credentials, "harbinger-test"],
                                 log: directory.appendingPathComponent("token.log"))
        guard Loopback.waitFor(seconds: 20, { FileManager.default.fileExists(atPath: portFile.path) }),
              let port = Int((try String(contentsOf: portFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            child.stop()
            throw Registry.Failure.didNotStart(child.output)
        }
        self.port = port
    }

    var requests: [Request] {
        guard let text = try? String(contentsOf: logFile, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Request(scopes: object["scopes"] as? [String] ?? [], service: object["service"] as? String ?? "",
                           authorised: object["authorised"] as? Bool ?? false)
        }
    }

    func stop() { child.stop(grace: 5) }
}
