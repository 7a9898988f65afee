#!/bin/sh
# The "app" of cdk.json: runs dev.skyloom.infra.SkyloomApp on a JDK >= 21 with the class path Maven wrote to
# target/classpath.txt. Build it first with '../skyloom synth' (which also writes cdk.out by itself).
set -eu
HERE=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
CLASSPATH_FILE="$HERE/target/classpath.txt"
if [ ! -f "$CLASSPATH_FILE" ] || [ ! -d "$HERE/target/classes" ]; then
    echo "cdk-app: the CDK app is not built yet: run '../skyloom synth' once (or, from the repository root," \
        "'mvn -pl infra-cdk -am -Dmaven.test.skip=true package')" >&2
    exit 1
fi

jdk_major() {
    sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" 2>/dev/null | head -n 1
}
JAVA=""
if [ -n "${JAVA_HOME:-}" ] && [ "$(jdk_major "$JAVA_HOME")" -ge 21 ] 2>/dev/null; then
    JAVA="$JAVA_HOME/bin/java"
else
    best=0
    for candidate in /usr/lib/jvm/*; do
        major=$(jdk_major "$candidate")
        if [ -n "$major" ] && [ -x "$candidate/bin/java" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best" ]; then
            best=$major
            JAVA="$candidate/bin/java"
        fi
    done
fi
if [ -z "$JAVA" ]; then
    echo "cdk-app: a JDK 21 or newer is needed: set JAVA_HOME to one (java -version must say 21+)" >&2
    exit 1
fi

# jsii runs the CDK's JavaScript on the machine's Node; Node 20 works, it only warns about its end of life
JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=${JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION:-20}
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION
cd "$HERE"
exec "$JAVA" -cp "$HERE/target/classes:$(cat "$CLASSPATH_FILE")" dev.skyloom.infra.SkyloomApp
