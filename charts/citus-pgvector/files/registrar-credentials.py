"""The registrar's credentials, computed on the client so that no password reaches a statement's text.

registrar-node.sql runs this program from psql (the image's python3: Patroni's own interpreter) inside the credential
pass, after it read what the node holds: REGISTRAR_STORED_DIGESTS lists role:digest:state for every role of the pass
(the SHA-256 of the role's pg_dist_authinfo value or "none", and "exists" or "missing"). A node that holds every
password already gets nothing; otherwise psql sends what this program prints as COPY data, which no statement text,
bg_mon page or pg_stat_activity row shows.

  changed  prints true when some role lacks its password on the node (or an application role is missing), else false
  rows     prints one COPY row (text format) per such role: name, its pg_dist_authinfo value in base64, the SCRAM-SHA-256
           verifier of an application role (\\N for the superuser, whose role the registrar never changes), and
           whether it is an application role

The superuser's password is POSTGRES_PASSWORD; an application role's is the file of its name in
REGISTRAR_APPLICATION_ROLES_DIR, byte for byte. Errors go to standard error without a password, and exit 1.
"""

import base64
import hashlib
import hmac
import os
import secrets
import stringprep
import sys
import unicodedata

# PostgreSQL's default (scram_iterations).
SCRAM_ITERATIONS = 4096


def authinfo(password):
    """The pg_dist_authinfo value Citus reads: a libpq conninfo with the password quoted."""
    return b"password='" + password.replace(b"\\", b"\\\\").replace(b"'", b"\\'") + b"'"


def saslprep(password):
    """The password as PostgreSQL prepares it before hashing (RFC 4013 SASLprep, src/common/saslprep.c): ASCII as it
    is; otherwise mapped, NFKC-normalized and checked, and the raw bytes when it is not valid UTF-8 or the checks
    refuse it."""
    try:
        text = password.decode("utf-8")
    except UnicodeDecodeError:
        return password
    if text.isascii():
        return password
    mapped = "".join(" " if stringprep.in_table_c12(c) else c for c in text if not stringprep.in_table_b1(c))
    normalized = unicodedata.normalize("NFKC", mapped)
    prohibited = (
        stringprep.in_table_c12,
        stringprep.in_table_c21,
        stringprep.in_table_c22,
        stringprep.in_table_c3,
        stringprep.in_table_c4,
        stringprep.in_table_c5,
        stringprep.in_table_c6,
        stringprep.in_table_c7,
        stringprep.in_table_c8,
        stringprep.in_table_c9,
        stringprep.in_table_a1,
    )
    if not normalized or any(check(c) for c in normalized for check in prohibited):
        return password
    if any(stringprep.in_table_d1(c) for c in normalized):
        if any(stringprep.in_table_d2(c) for c in normalized):
            return password
        if not (stringprep.in_table_d1(normalized[0]) and stringprep.in_table_d1(normalized[-1])):
            return password
    return normalized.encode("utf-8")


def scram_verifier(password):
    """A SCRAM-SHA-256 verifier in the form ALTER ROLE ... PASSWORD stores as it is (a new random salt each time)."""
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", saslprep(password), salt, SCRAM_ITERATIONS)
    stored_key = hashlib.sha256(hmac.new(salted, b"Client Key", hashlib.sha256).digest()).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(data):
        return base64.b64encode(data).decode("ascii")

    return f"SCRAM-SHA-256${SCRAM_ITERATIONS}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def password_of(role, application_roles):
    if role in application_roles:
        directory = os.environ.get("REGISTRAR_APPLICATION_ROLES_DIR", "")
        with open(os.path.join(directory, role), "rb") as file:
            return file.read()
    return os.environb.get(b"POSTGRES_PASSWORD", b"")


def wanted(stored_digests, application_roles):
    """(role, pg_dist_authinfo value, application role?) for every role whose stored value differs from its own."""
    for entry in filter(None, stored_digests.split(",")):
        role, digest, state = entry.rsplit(":", 2)
        application = role in application_roles
        value = authinfo(password_of(role, application_roles))
        if hashlib.sha256(value).hexdigest() != digest or (application and state != "exists"):
            yield role, value, application


def main(mode):
    application_roles = set(filter(None, os.environ.get("REGISTRAR_APPLICATION_ROLES", "").split(",")))
    changes = wanted(os.environ.get("REGISTRAR_STORED_DIGESTS", ""), application_roles)
    if mode == "changed":
        print("true" if any(True for _ in changes) else "false")
        return
    for role, value, application in changes:
        verifier = scram_verifier(password_of(role, application_roles)) if application else "\\N"
        encoded = base64.b64encode(value).decode("ascii")
        print(f"{role}\t{encoded}\t{verifier}\t{'t' if application else 'f'}")


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("changed", "rows"):
        print("usage: registrar-credentials.py changed|rows", file=sys.stderr)
        sys.exit(2)
    try:
        main(sys.argv[1])
    except (OSError, ValueError) as error:
        # The message names a file or an entry, never a password.
        print(f"registrar-credentials: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
