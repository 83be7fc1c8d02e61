#!/usr/bin/env python3
"""Posts N unique Distribution push events to a Harbinger source, from several threads.

usage: burst.py URL TEMPLATE_JSON N THREADS ACCEPTED_FILE [PREFIX]

Each request is the template envelope with a fresh event id (PREFIX-NNNNNN, PREFIX "burst" by default) and tag. The ids answered 202 are
appended to ACCEPTED_FILE, one per line. Connection errors (a server that was killed) are
counted, not retried. Prints "sent S accepted A failed F".
"""
import json
import sys
import threading
import urllib.error
import urllib.request


def main():
    url, template_path, total, threads, accepted_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    prefix = sys.argv[6] if len(sys.argv) > 6 else "burst"
    template = json.load(open(template_path))
    lock = threading.Lock()
    counters = {"sent": 0, "accepted": 0, "failed": 0}
    accepted = open(accepted_path, "a")
    next_index = [0]

    def worker():
        while True:
            with lock:
                index = next_index[0]
                if index >= total:
                    return
                next_index[0] += 1
            envelope = json.loads(json.dumps(template))
            event = envelope["events"][0]
            event["id"] = f"{prefix}-{index:06d}"
            event["target"]["tag"] = f"t{index}"
            body = json.dumps(envelope).encode()
            request = urllib.request.Request(url, data=body, method="POST",
                                             headers={"Content-Type": "application/vnd.docker.distribution.events.v1+json"})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    ok = response.status == 202
            except (urllib.error.URLError, ConnectionError, OSError):
                ok = False
            with lock:
                counters["sent"] += 1
                if ok:
                    counters["accepted"] += 1
                    accepted.write(event["id"] + "\n")
                    accepted.flush()
                else:
                    counters["failed"] += 1

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    print(f"sent {counters['sent']} accepted {counters['accepted']} failed {counters['failed']}")


if __name__ == "__main__":
    main()
