#!/usr/bin/env bash
# Builds backup-benchmarks and runs, in order: the JMH codec benchmarks, the age streaming benchmark
# (1 GiB, -Xmx256m), the end-to-end harness through the engine (-Xmx256m) and the zstd levels on four
# realistic inputs (pg_dump, mongodump archive, RDB, tar). Results (Markdown and the
# JMH JSON) go to backup-benchmarks/target/results/. Numbers are wall-clock: note the load average
# printed with them. Environment overrides:
#   STEPS="jmh age e2e levels sbs"      which parts to run
#   JMH_ARGS="-wi 2 -i 3 -f 1 -w 2s -r 3s"   JMH options (add e.g. "-p codec=zstd1,zstd3" to narrow)
#   AGE_SIZE=1g                         age streaming size
#   E2E_SIZE=1g E2E_COMPRESSION=none,gzip,zstd1,zstd3 E2E_ENCRYPTION=none,age   full matrix
#   E2E_BIG_SIZE=4g E2E_BIG_COMPRESSION=zstd1 E2E_BIG_ENCRYPTION=none,age        heap comparison run ("" skips)
#   E2E_DIR=backup-benchmarks/target/e2e   scratch repository (needs free space of about E2E_BIG_SIZE)
#   LEVELS_SIZE=64m LEVELS=1,2,3,6 LEVELS_INPUTS=postgres,mongo,redis,tar   zstd levels on realistic inputs
#                                       (step "levels": needs the Debian PostgreSQL 15 server, pg_dump, redis-server,
#                                       openssl and tar; run as root it starts PostgreSQL as the postgres user)
#   SBS_ARGS="--parts=pg,redis,mongo --dataset=payments --rows=1000000 --redis-size=128m --mongo-docs=100000 --rounds=3"
#                                       step "sbs": our pipeline next to pg_dump/zstd/age/gzip, pg_restore, redis-cli --rdb
#                                       (needs the Debian PostgreSQL 15 server, pg_dump, zstd, age, gzip, redis-server, redis-cli;
#                                       mongodump/mongorestore on PATH or via --mongo-tools=DIR for the Mongo stock rows,
#                                       see the README's "Building the stock mongodump/mongorestore")
#   HEAP=256m                           -Xmx for the streaming runs
#   SKIP_BUILD=1                        use the jar already built
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS=backup-benchmarks/target/results
STEPS=${STEPS:-"jmh age e2e levels sbs"}
JMH_ARGS=${JMH_ARGS:-"-wi 2 -i 3 -f 1 -w 2s -r 3s"}
AGE_SIZE=${AGE_SIZE:-1g}
E2E_SIZE=${E2E_SIZE:-1g}
E2E_COMPRESSION=${E2E_COMPRESSION:-none,gzip,zstd1,zstd3}
E2E_ENCRYPTION=${E2E_ENCRYPTION:-none,age}
E2E_BIG_SIZE=${E2E_BIG_SIZE-4g}
E2E_BIG_COMPRESSION=${E2E_BIG_COMPRESSION:-zstd1}
E2E_BIG_ENCRYPTION=${E2E_BIG_ENCRYPTION:-none,age}
E2E_DIR=${E2E_DIR:-backup-benchmarks/target/e2e}
HEAP=${HEAP:-256m}
LEVELS_SIZE=${LEVELS_SIZE:-64m}
LEVELS=${LEVELS:-1,2,3,6}
LEVELS_INPUTS=${LEVELS_INPUTS:-postgres,mongo,redis,tar}
SBS_ARGS=${SBS_ARGS:-"--parts=pg,redis,mongo --dataset=payments --rows=1000000 --redis-size=128m --mongo-docs=100000 --rounds=3"}

if [[ -z "${SKIP_BUILD:-}" ]]; then
  # -am builds the modules it uses (api, mongo, postgres, redis) in this reactor: nothing is installed
  mvn -q package -DskipTests -pl backup-benchmarks -am
fi
mkdir -p "$RESULTS"
# run from a copy, so a rebuild during a long run cannot change the jar under a running JVM
JAR="$RESULTS/benchmarks.jar"
cp backup-benchmarks/target/benchmarks.jar "$JAR"
LOG="-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"

for step in $STEPS; do
  case "$step" in
    jmh)
      echo "== JMH ($JMH_ARGS), load average $(cut -d' ' -f1-3 /proc/loadavg)"
      # shellcheck disable=SC2086
      java -jar "$JAR" $JMH_ARGS -rf json -rff "$RESULTS/jmh.json" "com.eazepay.backup.benchmarks.*" | tee "$RESULTS/jmh.txt"
      { echo "# JMH codec benchmarks ($JMH_ARGS); load average after: $(cut -d' ' -f1-3 /proc/loadavg)"; echo;
        java -cp "$JAR" com.eazepay.backup.benchmarks.JmhTable "$RESULTS/jmh.json"; } | tee "$RESULTS/jmh.md"
      ;;
    age)
      java -Xmx"$HEAP" $LOG -cp "$JAR" com.eazepay.backup.benchmarks.AgeStreamBenchmark --size="$AGE_SIZE" \
        --dir="$E2E_DIR" | tee "$RESULTS/age-stream.md"
      ;;
    e2e)
      java -Xmx"$HEAP" $LOG -cp "$JAR" com.eazepay.backup.benchmarks.EndToEndBenchmark --size="$E2E_SIZE" \
        --compression="$E2E_COMPRESSION" --encryption="$E2E_ENCRYPTION" --dir="$E2E_DIR" | tee "$RESULTS/e2e-$E2E_SIZE.md"
      if [[ -n "$E2E_BIG_SIZE" ]]; then
        java -Xmx"$HEAP" $LOG -cp "$JAR" com.eazepay.backup.benchmarks.EndToEndBenchmark --size="$E2E_BIG_SIZE" \
          --compression="$E2E_BIG_COMPRESSION" --encryption="$E2E_BIG_ENCRYPTION" --dir="$E2E_DIR" | tee "$RESULTS/e2e-$E2E_BIG_SIZE.md"
      fi
      ;;
    levels)
      # inputs held in memory (one at a time, compressed copy too): 1 GiB of heap for 64 MiB inputs
      java -Xmx1g $LOG -cp "$JAR" com.eazepay.backup.benchmarks.CompressionLevelsBenchmark --size="$LEVELS_SIZE" \
        --levels="$LEVELS" --inputs="$LEVELS_INPUTS" --dir="$E2E_DIR/levels" | tee "$RESULTS/levels.md"
      ;;
    sbs)
      # 1 GiB of heap: the Mongo part runs mongo-java-server (an in-memory database) in the same JVM
      # shellcheck disable=SC2086
      java -Xmx1g $LOG -cp "$JAR" com.eazepay.backup.benchmarks.SideBySideBenchmark $SBS_ARGS \
        --dir="$E2E_DIR/side-by-side" | tee "$RESULTS/side-by-side.md"
      ;;
    *) echo "unknown step $step (jmh, age, e2e, levels, sbs)" >&2; exit 2 ;;
  esac
done
echo "results in $RESULTS"
