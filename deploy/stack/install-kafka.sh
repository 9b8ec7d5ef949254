#!/usr/bin/env bash
# Fetches Apache Kafka's broker jars from Maven Central into $STACK_HOME/kafka/<v>/libs.
# Idempotent. KAFKA_VERSION (lib.sh): 4.1.2 by default (@platformatic/kafka, the default
# client, speaks 3.5-4.1); 3.x (3.9.1) for KAFKA_CLIENT=kafkajs, whose 2.2.4 is made for
# Kafka up to 3.x (Kafka 4.0 removed old protocol versions, KIP-896).
source "$(dirname "$0")/lib.sh"

DIR="$STACK_HOME/kafka/$KAFKA_VERSION"
if [[ -f "$DIR/.complete" ]]; then log "kafka $KAFKA_VERSION jars already present: $DIR/libs"; exit 0; fi
command -v mvn >/dev/null || { log "mvn (Maven) is required to fetch Kafka"; exit 1; }
command -v java >/dev/null || { log "java 17 is required to run Kafka"; exit 1; }

mkdir -p "$DIR"
# Maven does not pull a logging binding in: Kafka 3.x logs through slf4j 1 + the log4j 1.x
# API (reload4j), Kafka 4.x through slf4j 2 + log4j 2 (slf4j-api named: Kafka's own 1.7 would
# win and find no binding; stack.sh writes the matching config).
if [[ "$KAFKA_VERSION" == 3.* ]]; then
  LOGGING='    <dependency><groupId>ch.qos.reload4j</groupId><artifactId>reload4j</artifactId><version>1.2.25</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>'
else
  LOGGING='    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>2.24.3</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>2.24.3</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.17</version></dependency>'
fi
cat >"$DIR/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>klimatpuls</groupId><artifactId>kafka-runtime</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-storage</artifactId><version>$KAFKA_VERSION</version></dependency>
$LOGGING
  </dependencies>
</project>
POM
log "fetching kafka $KAFKA_VERSION jars from Maven Central"
(cd "$DIR" && mvn -B -q dependency:copy-dependencies -DoutputDirectory=libs -DincludeScope=runtime)
touch "$DIR/.complete"
log "kafka jars in $DIR/libs ($(ls "$DIR/libs" | wc -l) files)"
