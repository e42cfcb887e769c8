#!/usr/bin/env bash
# Installs PostgreSQL <major> with Citus and pgvector from their publishers' apt repositories on Debian 12, for the
# test tiers that need a real Citus cluster (they skip without it). Each repository key is checked against a pinned
# fingerprint before apt trusts it.
#
#   .github/scripts/install-extensions.sh <postgresql major> <citus series, e.g. 13.2>
#
# CITUS_REPO_KEY_FINGERPRINT: the full fingerprint of the key of Citus's repository (a repository variable); without it
# nothing is installed and the Citus tiers skip, saying so.
set -euo pipefail

major="${1:?PostgreSQL major, e.g. 15}"
citus_series="${2:?Citus series, e.g. 13.2}"
pgdg_fingerprint="B97B0AFCAA1A47F044F244A07FCC7D46ACCC4CF8"

if [[ -z "${CITUS_REPO_KEY_FINGERPRINT:-}" ]]; then
  echo "::notice::CITUS_REPO_KEY_FINGERPRINT is not set: Citus and pgvector are not installed, their tests skip"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends ca-certificates curl gnupg

fetch_key() {
  local url="$1" fingerprint="$2" keyring="$3" found
  curl -fsSL "${url}" | gpg --dearmor >"${keyring}"
  found="$(gpg --show-keys --with-colons "${keyring}" | awk -F: '$1 == "fpr" { print $10; exit }')"
  if [[ "${found}" != "${fingerprint}" ]]; then
    echo "key from ${url} has fingerprint ${found}, expected ${fingerprint}" >&2
    exit 1
  fi
}

install -d -m 0755 /etc/apt/keyrings
fetch_key https://www.postgresql.org/media/keys/ACCC4CF8.asc "${pgdg_fingerprint}" /etc/apt/keyrings/pgdg.gpg
fetch_key https://repos.citusdata.com/community/gpgkey "${CITUS_REPO_KEY_FINGERPRINT}" /etc/apt/keyrings/citusdata.gpg
# shellcheck source=/dev/null
codename="$(. /etc/os-release && echo "${VERSION_CODENAME}")"
{
  echo "deb [signed-by=/etc/apt/keyrings/pgdg.gpg] https://apt.postgresql.org/pub/repos/apt ${codename}-pgdg main"
  echo "deb [signed-by=/etc/apt/keyrings/citusdata.gpg] https://repos.citusdata.com/community/debian/ ${codename} main"
} >/etc/apt/sources.list.d/citus-pgvector-ci.list
apt-get update -q
apt-get install -y -q --no-install-recommends "postgresql-${major}" "postgresql-${major}-citus-${citus_series}" "postgresql-${major}-pgvector"
ls "/usr/share/postgresql/${major}/extension/citus.control" "/usr/share/postgresql/${major}/extension/vector.control"
