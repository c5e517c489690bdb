# Sourced by infra/bin/demo and infra/bin/audit: builds the pipeline module (and what it needs) when
# its jar is missing or older than the sources, then runs a class of it on Maven's classpath.
#   pipeline_java CLASS [ARGS...]
# PIPELINE_JAVA_OPTS: JVM options (the demo's logging); default: state changes logged on stderr.
pipeline_java() {
  local root module jar cp_file build_log main="$1"
  shift
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
  module="$root/pipeline"
  cp_file="$module/target/runtime.classpath"
  jar="$(ls "$module"/target/twinstream-pipeline-*.jar 2>/dev/null | grep -v -e "-cli.jar" -e "/original-" | head -n 1 || true)"
  # Rebuild when a module's sources (infra/* modules included) are newer than the jar, or a pom is
  # newer than the recorded classpath (a jar built by hand does not refresh the classpath file).
  if [ -z "$jar" ] || [ ! -f "$cp_file" ] \
      || [ -n "$(find "$root"/*/src/main "$root"/infra/*/src/main "$root"/*/pom.xml "$root"/infra/*/pom.xml "$root/pom.xml" \
                   -newer "$jar" -type f -print -quit 2>/dev/null)" ] \
      || [ -n "$(find "$root"/*/pom.xml "$root"/infra/*/pom.xml "$root/pom.xml" -newer "$cp_file" -type f -print -quit 2>/dev/null)" ]; then
    mkdir -p "$root/run/logs"
    build_log="$root/run/logs/build.log"
    echo "building the pipeline (first run, or sources changed; the first build fetches the dependencies: a few minutes); log: $build_log" >&2
    # One line per module as Maven reaches it; the whole output in the log, its end shown on failure.
    if ! (cd "$root" && ./mvnw --batch-mode --no-transfer-progress -pl pipeline -am install -DskipTests \
            && ./mvnw --batch-mode --no-transfer-progress --quiet -pl pipeline dependency:build-classpath \
                 -Dmdep.includeScope=runtime -Dmdep.outputFile="$cp_file") < /dev/null 2>&1 \
          | tee "$build_log" | module_lines >&2; then
      echo "build failed; the end of $build_log:" >&2
      tail -n 40 "$build_log" >&2
      return 1
    fi
    jar="$(ls "$module"/target/twinstream-pipeline-*.jar | grep -v -e "-cli.jar" -e "/original-" | head -n 1)"
  fi
  # The shaded job jar the build left beside it: what the demo submits to its Flink session cluster.
  local job_jar
  job_jar="$(ls "$root"/stream-jobs/target/twinstream-stream-jobs-*.jar 2>/dev/null | head -n 1 || true)"
  # shellcheck disable=SC2086 # PIPELINE_JAVA_OPTS is a list of options
  exec java ${PIPELINE_JAVA_OPTS:--Dlog4j2.configurationFile=classpath:twinstream-cli-log4j2.xml} \
    ${job_jar:+-Dtwinstream.job-jar=$job_jar} -cp "$jar:$(cat "$cp_file")" "$main" "$@"
}

# Reads Maven's output, prints "  building <module> [k/n]" as it reaches each module.
module_lines() {
  awk -F'Twinstream :: ' '/^\[INFO\] Building Twinstream :: / {
    name = $2; sub(/ [0-9][^ ]*-SNAPSHOT.*$/, "", name)
    step = $2; sub(/^.*\[/, "[", step)
    print "  building " name " " step; fflush()
  }'
}
