#!/usr/bin/env python3
"""A registry token endpoint for tests (the Docker/Distribution token-auth flow), on 127.0.0.1.

    token_server.py PORT_FILE LOG_FILE KEY_PEM CERT_PEM USER:PASSWORD ISSUER

GET /token?service=S&scope=repository:NAME:ACTIONS... with Basic USER:PASSWORD answers
{"token": JWT, "access_token": JWT, "expires_in": 300}; the JWT is RS256-signed with KEY_PEM via the
openssl command (no Python crypto package needed) and carries CERT_PEM in its x5c header, which
the registry trusts through its auth.token.rootcertbundle. Wrong credentials get 401. Each request
is appended to LOG_FILE as a JSON line with its scopes and whether it was authorised.
"""
import base64, json, subprocess, sys, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

port_file, log_file, key_pem, cert_pem, credentials, issuer = sys.argv[1:7]
with open(cert_pem) as f:
    der = base64.b64decode("".join(l for l in f.read().splitlines() if "-----" not in l))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(claims):
    header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key_pem], input=signing_input.encode(),
                               capture_output=True, check=True).stdout
    return signing_input + "." + b64url(signature)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        expected = "Basic " + base64.b64encode(credentials.encode()).decode()
        authorised = self.headers.get("Authorization") == expected
        scopes = query.get("scope", [])
        with open(log_file, "a") as log:
            log.write(json.dumps({"path": url.path, "scopes": scopes, "service": query.get("service", [""])[0],
                                  "authorised": authorised}) + "\n")
        if url.path != "/token" or not authorised:
            self.send_response(401)
            self.end_headers()
            return
        access = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        token = sign({"iss": issuer, "sub": credentials.split(":")[0], "aud": query.get("service", [""])[0],
                      "exp": now + 300, "nbf": now - 10, "iat": now, "jti": str(uuid.uuid4()), "access": access})
        body = json.dumps({"token": token, "access_token": token, "expires_in": 300}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


# Started from a test thread that blocks signals (the mask is inherited): take SIGTERM again, or every
# stop waits out its grace period.
import signal
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
