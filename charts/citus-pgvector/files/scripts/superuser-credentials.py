#!/usr/bin/env python3
"""Fill each cluster's superuser credentials Secret from the user's Secret (superuser.existingSecret).

The operator adopts a credentials Secret that exists when it creates a cluster, and logs in with what that Secret holds
from then on; it never changes the password in the database. So this hook, run before Helm creates or adds clusters:
  - creates every missing postgres.<cluster>.credentials.postgresql.acid.zalan.do with the user's password;
  - leaves a Secret that already holds that password alone;
  - refuses (exit 1, naming them) when a Secret holds another password: replacing it would lock the operator, the
    hooks and restarted sidecars out. Rotate with the README's procedure instead.
Talks to the Kubernetes API with the Job's service account; the password is read from the mounted Secret and sent only
in request bodies, never printed.
Environment: NAMESPACE, CLUSTERS (space-separated cluster names), PASSWORD_FILE, LABELS (JSON object); tests set
KUBERNETES_API_URL and SERVICE_ACCOUNT_DIR.
"""
import base64
import json
import os
import ssl
import sys
import urllib.error
import urllib.request

ACCOUNT = os.environ.get("SERVICE_ACCOUNT_DIR", "/var/run/secrets/kubernetes.io/serviceaccount")


def log(message):
    print("superuser-credentials: " + message, flush=True)


def api(method, path, body=None):
    base = os.environ.get("KUBERNETES_API_URL") or "https://%s:%s" % (
        os.environ["KUBERNETES_SERVICE_HOST"], os.environ.get("KUBERNETES_SERVICE_PORT", "443"))
    with open(os.path.join(ACCOUNT, "token")) as f:
        token = f.read().strip()
    context = ssl.create_default_context(cafile=os.path.join(ACCOUNT, "ca.crt")) if base.startswith("https") else None
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Authorization", "Bearer " + token)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, {}


def password_of(secret):
    value = secret.get("data", {}).get("password")
    return None if value is None else base64.b64decode(value).decode()


def main():
    namespace = os.environ["NAMESPACE"]
    with open(os.environ["PASSWORD_FILE"]) as f:
        password = f.read()
    if not password:
        log("the Secret named by superuser.existingSecret holds an empty password")
        return 1
    labels = json.loads(os.environ.get("LABELS", "{}"))
    conflicts = []
    for cluster in os.environ["CLUSTERS"].split():
        name = "postgres.%s.credentials.postgresql.acid.zalan.do" % cluster
        path = "/api/v1/namespaces/%s/secrets" % namespace
        status, secret = api("GET", "%s/%s" % (path, name))
        if status == 404:
            body = {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": name, "labels": dict(labels, **{"cluster-name": cluster})},
                "type": "Opaque",
                "data": {
                    "username": base64.b64encode(b"postgres").decode(),
                    "password": base64.b64encode(password.encode()).decode(),
                },
            }
            status, secret = api("POST", path, body)
            if status == 201:
                log("created %s" % name)
                continue
            if status != 409:
                log("cannot create %s: HTTP %d" % (name, status))
                return 1
            status, secret = api("GET", "%s/%s" % (path, name))
        if status != 200:
            log("cannot read %s: HTTP %d" % (name, status))
            return 1
        if password_of(secret) == password:
            log("%s holds the password already" % name)
        else:
            conflicts.append(name)
    if conflicts:
        log("refusing to change the superuser password: %s hold(s) another password than superuser.existingSecret,"
            " and the clusters use theirs (a new one would lock the operator, the hooks and restarted sidecars out)."
            " Put the clusters' password into superuser.existingSecret, or rotate it with the README's procedure"
            " (Rotating the superuser password)." % ", ".join(conflicts))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
