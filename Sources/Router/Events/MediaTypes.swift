/// What a media type says about an artifact, shared by every decoder.
public enum MediaTypes {
    /// OCI and Docker image manifests.
    public static let imageManifests: Set<String> = [
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v1+prettyjws",
    ]
    /// OCI indexes and Docker manifest lists.
    public static let indexes: Set<String> = [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    ]

    /// True for media types of layers and other blobs (not manifests), which are dropped by default.
    public static func isBlob(_ mediaType: String) -> Bool {
        if imageManifests.contains(mediaType) || indexes.contains(mediaType) { return false }
        return mediaType == "application/octet-stream" || mediaType.contains(".layer.") || mediaType.contains("rootfs")
            || mediaType.hasSuffix(".config.v1+json") || mediaType == "application/vnd.docker.container.image.v1+json"
    }

    /// The artifact kind from a manifest media type and, for OCI artifacts, the artifact or config type.
    public static func artifactKind(mediaType: String?, artifactType: String? = nil) -> ArtifactKind? {
        // The common case first, without lowercasing and substring searches (hot on the ingest path).
        if artifactType == nil, let mediaType {
            if imageManifests.contains(mediaType) { return .image }
            if indexes.contains(mediaType) { return .index }
        }
        let kinds = [artifactType, mediaType].compactMap { $0?.lowercased() }
        guard !kinds.isEmpty else { return nil }
        for type in kinds {
            if type.contains("helm") || type.contains("chart") { return .chart }
            if type.contains("cosign") || type.contains("signature") || type.contains("notary") { return .signature }
            if type.contains("spdx") || type.contains("cyclonedx") || type.contains("sbom") || type.contains("syft") { return .sbom }
        }
        if let artifactType, !artifactType.isEmpty { return .other }
        if let mediaType {
            if indexes.contains(mediaType) { return .index }
            if imageManifests.contains(mediaType) { return .image }
        }
        return .other
    }
}
