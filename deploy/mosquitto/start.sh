#!/bin/sh
# Entrypoint of the compose file's Mosquitto: the pipeline's MQTT user `klimatpuls`
# gets a password generated once into the shared volume /run/klimatpuls-mqtt (0600,
# owned by the gateway's uid 1000, which reads it as MQTT_PASSWORD_FILE); its hash goes
# into the password file of the 1883 listener, which takes no anonymous client.
# The same rule as deploy/stack/stack.sh (services/broker/mqttIdentity.ts).
set -eu
secret=/run/klimatpuls-mqtt/pipeline.password
passwd=/mosquitto/data/pipeline.passwd
umask 077
if [ ! -s "$secret" ]; then
  printf '%s\n' "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$secret"
fi
chown 1000 "$secret"
chmod 600 "$secret"
rm -f "$passwd"
: >"$passwd"
mosquitto_passwd -b "$passwd" klimatpuls "$(head -n 1 "$secret")"
chown mosquitto:mosquitto "$passwd" /mosquitto/data
exec /usr/sbin/mosquitto -c /mosquitto/config/mosquitto.conf
