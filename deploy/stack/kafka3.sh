#!/usr/bin/env bash
# A second Kafka beside the stack's, on Kafka 3.x, for the kafkajs bus (KAFKA_CLIENT=kafkajs,
# made for Kafka 3.x) and its tests (test/integration/kafkaBuses.test.ts):
#   kafka3.sh up|down|status|reset|env
# Kafka KAFKA3_VERSION (3.9.1) on 127.0.0.1:STACK_KAFKA3_PORT (9094, controller
# STACK_KAFKA3_CONTROLLER_PORT 9095), data in KLIMATPULS_KAFKA3_RUN (the stack's run
# directory with -kafka3 appended). The same jars cache and stack.sh as the stack's Kafka.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
STACK_HOME="${KLIMATPULS_STACK_HOME:-$HOME/.cache/klimatpuls/stack}"
export KLIMATPULS_STACK_RUN="${KLIMATPULS_KAFKA3_RUN:-${KLIMATPULS_STACK_RUN:-$STACK_HOME/run}-kafka3}"
export KAFKA_VERSION="${KAFKA3_VERSION:-3.9.1}"
export STACK_KAFKA_PORT="${STACK_KAFKA3_PORT:-9094}"
export STACK_KAFKA_CONTROLLER_PORT="${STACK_KAFKA3_CONTROLLER_PORT:-9095}"
cmd=${1:-status}
case "$cmd" in
  up | down | reset) bash "$HERE/stack.sh" "$cmd" kafka ;;
  status) if [[ -f "$KLIMATPULS_STACK_RUN/kafka/pid" ]] && kill -0 "$(cat "$KLIMATPULS_STACK_RUN/kafka/pid")" 2>/dev/null; then echo "kafka3 running"; else echo "kafka3 stopped"; fi ;;
  env) echo "KAFKA3_BROKERS=127.0.0.1:$STACK_KAFKA_PORT" ;;
  *) echo "usage: kafka3.sh up|down|status|reset|env" >&2; exit 2 ;;
esac
