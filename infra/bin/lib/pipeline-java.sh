# Sourced by infra/bin/demo and infra/bin/audit: builds the pipeline module (and what it needs) when
# its jar is missing or older than the sources, then runs a class of it on Maven's classpath.
#   pipeline_java CLASS [ARGS...]
pipeline_java() {
  local root module jar cp_file main="$1"
  shift
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
  module="$root/pipeline"
  cp_file="$module/target/runtime.classpath"
  jar="$(ls "$module"/target/twinstream-pipeline-*.jar 2>/dev/null | grep -v -e "-cli.jar" -e "/original-" | head -n 1 || true)"
  if [ -z "$jar" ] || [ ! -f "$cp_file" ] || [ -n "$(find "$root"/*/src/main "$root"/*/pom.xml "$root/pom.xml" -newer "$jar" -type f -print -quit)" ]; then
    echo "building the pipeline (first run, or sources changed) ..." >&2
    (cd "$root" && ./mvnw --batch-mode --no-transfer-progress --quiet -pl pipeline -am install -DskipTests \
      && ./mvnw --batch-mode --no-transfer-progress --quiet -pl pipeline dependency:build-classpath \
           -Dmdep.includeScope=runtime -Dmdep.outputFile="$cp_file")
    jar="$(ls "$module"/target/twinstream-pipeline-*.jar | grep -v -e "-cli.jar" -e "/original-" | head -n 1)"
  fi
  exec java -Dlog4j2.configurationFile=classpath:twinstream-cli-log4j2.xml -cp "$jar:$(cat "$cp_file")" "$main" "$@"
}
