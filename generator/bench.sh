#!/usr/bin/env bash
# Benchmark of the generator's main job: wall time and peak memory (max RSS, JVM included) of one
# `citus-pgvector build` (generate + helm lint --strict + package) for charts whose default workers.count is
# 2, 16 and 128. Each case runs RUNS times in a fresh JVM; the median wall time and the largest RSS are printed.
# Usage: generator/bench.sh [RUNS]   (from the repository root; builds the jar first if it is missing)
set -euo pipefail

runs="${1:-5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${root}/generator/target/citus-pgvector.jar"
cd "${root}"

if [[ ! -f "${jar}" ]]; then
  ./mvnw -q -B -DskipTests package
fi
if [[ ! -x /usr/bin/time ]]; then
  echo "bench.sh needs GNU time: apt-get install time" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

printf '%-8s %12s %12s %14s\n' workers "median_s" "max_s" "peak_rss_mib"
for workers in 2 16 128; do
  printf 'workers:\n  count: %d\n' "${workers}" > "${work}/workers.yaml"
  times=()
  peak=0
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -f '%e %M' -o "${work}/time" \
      java -jar "${jar}" build -f values/default.yaml -f "${work}/workers.yaml" \
      --chart "${work}/chart" -d "${work}/dist" > /dev/null
    read -r seconds rss_kib < "${work}/time"
    times+=("${seconds}")
    if ((rss_kib > peak)); then
      peak="${rss_kib}"
    fi
  done
  sorted="$(printf '%s\n' "${times[@]}" | sort -n)"
  median="$(sed -n "$(((runs + 1) / 2))p" <<< "${sorted}")"
  slowest="$(tail -n 1 <<< "${sorted}")"
  printf '%-8s %12s %12s %14d\n' "${workers}" "${median}" "${slowest}" "$((peak / 1024))"
done
