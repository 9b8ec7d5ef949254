#!/usr/bin/env bash
# Fetches Apache Kafka's broker jars from Maven Central into $STACK_HOME/kafka/<v>/libs.
# Idempotent. Kafka 3.9 (not 4.x): kafkajs 2.x speaks the older protocol versions
# that Kafka 4.0 removed (KIP-896), and 3.9 runs KRaft single-node just as well.
source "$(dirname "$0")/lib.sh"

DIR="$STACK_HOME/kafka/$KAFKA_VERSION"
if [[ -f "$DIR/.complete" ]]; then log "kafka $KAFKA_VERSION jars already present: $DIR/libs"; exit 0; fi
command -v mvn >/dev/null || { log "mvn (Maven) is required to fetch Kafka"; exit 1; }
command -v java >/dev/null || { log "java 17 is required to run Kafka"; exit 1; }

mkdir -p "$DIR"
cat >"$DIR/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>klimatpuls</groupId><artifactId>kafka-runtime</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-storage</artifactId><version>$KAFKA_VERSION</version></dependency>
    <!-- Kafka 3.9 logs through slf4j + log4j 1.x API; Maven does not pull a binding in. -->
    <dependency><groupId>ch.qos.reload4j</groupId><artifactId>reload4j</artifactId><version>1.2.25</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
POM
log "fetching kafka $KAFKA_VERSION jars from Maven Central"
(cd "$DIR" && mvn -B -q dependency:copy-dependencies -DoutputDirectory=libs -DincludeScope=runtime)
touch "$DIR/.complete"
log "kafka jars in $DIR/libs ($(ls "$DIR/libs" | wc -l) files)"
