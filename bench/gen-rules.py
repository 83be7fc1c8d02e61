#!/usr/bin/env python3
"""Writes a realistic Harbinger rules file with N rules to stdout (deterministic for a given N).

Usage: bench/gen-rules.py N > rules.yml

Five sources of different kinds; rules mix event lists, repository globs (team-N/**,
team-N/app-*), semver tag ranges, regexes (~5% of rules), severity, vulnerability counts,
size, any/all/not, and http (templated path, headers, body), shell (templated argv) and
replicate actions. `harbinger check` accepts the output with an empty environment.
"""
import random
import sys

SOURCES = """\
version: 1

sources:
  - name: harbor
    kind: harbor
    registry: harbor.example.com
    auth: { header: Authorization, value: "${HARBOR_WEBHOOK_AUTH:-Bearer change-me}" }
  - name: registry
    kind: distribution
    max_body: 2MiB
    auth:
      - basic: { username: registry, password: "${REGISTRY_HOOK_PASSWORD:-change-me}" }
      - cidr: [127.0.0.0/8, 10.0.0.0/8, "::1"]
    trusted_proxies: [10.0.0.10]
  - name: ghcr
    kind: ghcr
    registry: ghcr.io
    auth: { hmac: sha256, header: X-Hub-Signature-256, prefix: "sha256=", secret: "${GITHUB_WEBHOOK_SECRET:-change-me}" }
  - name: dockerhub
    kind: dockerhub
    registry: docker.io
    auth: { query: token, value: "${DOCKERHUB_HOOK_TOKEN:-change-me}" }
  - name: events
    kind: cloudevents
    auth: { bearer: "${EVENTS_TOKEN:-change-me}" }

defaults:
  retry: { attempts: 10, backoff: 2s, max_backoff: 10m }
  timeout: 15s
  concurrency: 8

server:
  listen: 127.0.0.1:8686
  store: sqlite:harbinger.db
  max_body: 1MiB

rules:"""

SOURCE_NAMES = ["harbor", "registry", "ghcr", "dockerhub", "events"]
EVENTS = ["push", "pull", "delete", "scan_completed", "scan_failed", "replication", "chart_push", "tag_retention"]
SEVERITIES = ["none", "unknown", "negligible", "low", "medium", "high", "critical"]
SEMVER = [">=1.0.0 <2.0.0", "^2.{m}.0", "~3.{m}.0", "1.{m}.x", ">={m}.0.0-0 <{n}.0.0", "^1.0.0 || ^2.0.0", "1.0.0 - 1.{m}.9"]
# (field, pattern): written inside YAML double quotes, hence the doubled backslashes.
REGEXES = [("tag", r"v?[0-9]+\\.[0-9]+\\.[0-9]+(-rc\\.[0-9]+)?"), ("tag", r"release-[0-9]{4}-[0-9]{2}"),
           ("actor", r"ci-[a-z0-9-]+"), ("media_type", r"application/vnd\\.(oci|docker)\\..+")]


def when(rng, i, team):
    lines = []
    add = lines.append
    if rng.random() < 0.5:
        add(f"source: {rng.choice(SOURCE_NAMES)}")
    events = rng.sample(EVENTS, rng.randint(1, 3))
    add(f"event: {events[0]}" if len(events) == 1 else f"event: [{', '.join(events)}]")
    kind = rng.random()
    if kind < 0.4:
        add(f'repository: "team-{team}/**"')
    elif kind < 0.8:
        add(f'repository: ["team-{team}/app-*", "team-{team}/svc-{{api,web}}"]')
    else:
        add(f'namespace: team-{team}')
    if i % 20 == 7:  # ~5% regexes
        field, pattern = rng.choice(REGEXES)
        add(f'{field}: {{ regex: "{pattern}" }}')
    elif rng.random() < 0.5:
        rng_text = rng.choice(SEMVER).format(m=rng.randint(0, 9), n=rng.randint(10, 20))
        add(f'tag: {{ semver: "{rng_text}" }}')
    elif rng.random() < 0.5:
        add('tag: ["v*", "release-*", "[0-9]*"]')
    if "scan_completed" in events or rng.random() < 0.15:
        level = rng.randint(1, 6)
        add(f"severity: {{ at_least: {SEVERITIES[level]} }}" if rng.random() < 0.5 else f"severity: {{ below: {SEVERITIES[level]} }}")
        if rng.random() < 0.5:
            add(f'vulnerabilities: {{ critical: "0", high: "<{rng.randint(1, 5)}", fixable: "<={rng.randint(0, 20)}" }}')
    if rng.random() < 0.1:
        add(f"size: {{ above: {rng.randint(100, 900)}MiB }}" if rng.random() < 0.5 else f"size: {{ below: {rng.randint(1, 4)}GiB }}")
    if rng.random() < 0.15:
        add("artifact: [image, index]")
    if rng.random() < 0.2:
        add("any:")
        add(f'  - media_type: "application/vnd.oci.image.*"')
        add(f'  - not: {{ tag: {{ semver: ">=0.0.0" }} }}')
        add(f'  - all: [{{ digest: "sha256:*" }}, {{ registry: "*.example.com" }}]')
    if rng.random() < 0.1:
        add('not: { actor: ["renovate*", "dependabot*"] }')
    return lines


def actions(rng, i, team):
    out = []
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        kind = rng.random()
        if kind < 0.5:
            body = rng.choice([
                "body: { template: '{\"image\": \"{{image}}\", \"digest\": \"{{digest}}\", \"rule\": \"r-%d\"}' }" % i,
                "body: cloudevents", "body: original", "body: event"])
            out += [
                "- http:",
                f'    url: "https://deploy-{team % 7}.example.com/teams/{team}/rollout/{{{{repository}}}}?tag={{{{tag}}}}"',
                f"    method: {rng.choice(['POST', 'PUT', 'PATCH'])}",
                "    headers:",
                '      Authorization: "Bearer ${DEPLOY_TOKEN:-change-me}"',
                '      X-Image: "{{image}}"',
                f'      X-Rule: "r-{i}"',
                f"    {body}",
                f"    timeout: {rng.choice(['5s', '10s', '30s'])}",
            ]
        elif kind < 0.8:
            out += [
                "- shell:",
                f'    command: ["./scripts/deploy-{team}.sh", "{{{{repository}}}}", "{{{{tag}}}}", "--digest={{{{digest}}}}"]',
                '    env: { EVENT_ID: "{{id}}", TEAM: "team-%d" }' % team,
                f"    timeout: {rng.choice(['30s', '2m'])}",
            ]
        else:
            out += [
                "- replicate:",
                f'    to: "mirror-{team % 3}.example.com/{{{{repository}}}}"',
                '    tag: "{{tag}}"',
                '    credentials: { username: mirror, password: "${MIRROR_PASSWORD:-change-me}" }',
                "    platforms: [linux/amd64, linux/arm64]",
                f"    referrers: {rng.choice(['true', 'false'])}",
            ]
    return out


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rng = random.Random(n)
    print(SOURCES)
    for i in range(n):
        team = rng.randint(1, max(1, n // 25))
        print(f"  - name: team-{team}-rule-{i}")
        if i % 10 == 0:
            print(f"    description: generated rule {i} for team {team}")
        print("    when:")
        for line in when(rng, i, team):
            print(f"      {line}")
        print("    do:")
        for line in actions(rng, i, team):
            print(f"      {line}")
        if rng.random() < 0.1:
            print("    retry: { attempts: 3, backoff: 1s, max_backoff: 30s }")
        if rng.random() < 0.05:
            print('    debounce: { key: "{{repository}}", window: 30s }')
        if rng.random() < 0.02:
            print("    stop: true")
        if rng.random() < 0.02:
            print("    enabled: false")


if __name__ == "__main__":
    main()
