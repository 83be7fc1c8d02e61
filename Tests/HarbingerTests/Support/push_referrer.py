#!/usr/bin/env python3
"""Pushes a signature-like OCI artifact that refers to an image, the way cosign and oras do on a
registry without the referrers API: the artifact manifest with a `subject`, plus the OCI 1.1
fallback tag `sha256-<hex>` holding an index of the subject's referrers.

    push_referrer.py HOST REPOSITORY SUBJECT_DIGEST SUBJECT_SIZE SUBJECT_MEDIA_TYPE

Prints the artifact manifest's digest.
"""
import hashlib, json, sys, urllib.request

host, repository, subject_digest, subject_size, subject_type = sys.argv[1:6]
base = f"http://{host}/v2/{repository}"


def request(method, url, body=b"", content_type=None):
    req = urllib.request.Request(url, data=body if method in ("POST", "PUT") else None, method=method)
    if content_type:
        req.add_header("Content-Type", content_type)
    with urllib.request.urlopen(req) as response:
        return response.status, response.headers


def blob(data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    _, headers = request("POST", f"{base}/blobs/uploads/")
    location = headers["Location"]
    if location.startswith("/"):
        location = f"http://{host}{location}"
    request("PUT", f"{location}{'&' if '?' in location else '?'}digest={digest}", data, "application/octet-stream")
    return {"mediaType": "application/vnd.oci.empty.v1+json", "digest": digest, "size": len(data)}


def manifest(reference, document, media_type):
    data = json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
    request("PUT", f"{base}/manifests/{reference}", data, media_type)
    return "sha256:" + hashlib.sha256(data).hexdigest(), len(data)


config = blob(b"{}")
layer = blob(b"a signature over " + subject_digest.encode())
layer["mediaType"] = "application/vnd.dev.cosign.simplesigning.v1+json"
artifact_type = "application/vnd.dev.cosign.artifact.sig.v1+json"
image_type = "application/vnd.oci.image.manifest.v1+json"
digest, size = manifest("sig", {
    "schemaVersion": 2, "mediaType": image_type, "artifactType": artifact_type, "config": config, "layers": [layer],
    "subject": {"mediaType": subject_type, "digest": subject_digest, "size": int(subject_size)},
}, image_type)
manifest(subject_digest.replace(":", "-"), {
    "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": [{"mediaType": image_type, "artifactType": artifact_type, "digest": digest, "size": size}],
}, "application/vnd.oci.image.index.v1+json")
print(digest)
