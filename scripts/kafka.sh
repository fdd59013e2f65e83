#!/usr/bin/env bash
# A private single-node Apache Kafka broker (KRaft, broker and controller in one process) for
# development and tests, under .run/ by default. Its jars come from Maven Central through Maven
# (deploy/kafka/pom.xml) and run on the system Java; no ZooKeeper, no Docker.
#
#   scripts/kafka.sh start     fetch the jars (first time), format the storage (first time),
#                              start the broker, create the topic, and return once the broker
#                              acknowledges a produce request (acks=all)
#   scripts/kafka.sh stop      stop it (SIGTERM; SIGKILL after 30 s); the data stays
#   scripts/kafka.sh kill      stop it with SIGKILL, as a crash would
#   scripts/kafka.sh status    exit 0 when it is running
#   scripts/kafka.sh brokers   print the bootstrap address (KAFKA_BROKERS)
#   scripts/kafka.sh destroy   stop it and delete its data
#   scripts/kafka.sh jars      fetch the jars (first time) and print their folder (KAFKA_LIBS);
#                              the compose test builds its Kafka stand-in image from them
#
# Environment: KAFKA_DIR (default .run/kafka), KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT
# (KAFKA_PORT + 1), KAFKA_TOPIC (log-channel), KAFKA_PARTITIONS (3), KAFKA_START_TIMEOUT
# (seconds to wait for readiness, 90), KAFKA_LIBS (the jar cache, default .run/kafka-libs;
# shared by every broker, whatever its KAFKA_DIR).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KAFKA_DIR=$(realpath -m -- "${KAFKA_DIR:-$root/.run/kafka}")
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}
KAFKA_TOPIC=${KAFKA_TOPIC:-log-channel}
KAFKA_PARTITIONS=${KAFKA_PARTITIONS:-3}
KAFKA_START_TIMEOUT=${KAFKA_START_TIMEOUT:-90}
KAFKA_LIBS=$(realpath -m -- "${KAFKA_LIBS:-$root/.run/kafka-libs}")
pom=$root/deploy/kafka/pom.xml
pid_file=$KAFKA_DIR/kafka.pid
log_file=$KAFKA_DIR/kafka.log
# A topic of its own for the readiness probe, so that log-channel only ever holds log events.
readiness_topic=__merch_readiness

die() { echo "kafka.sh: $*" >&2; exit 1; }

# The pid of this KAFKA_DIR's broker, when it is alive. The command line is checked too, so that
# a stale pid file (after a reboot) never points at an unrelated process; a zombie has none.
broker_pid() {
  local pid
  pid=$(cat "$pid_file" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$KAFKA_DIR/server.properties" || return 1
  echo "$pid"
}

is_running() { broker_pid >/dev/null; }

# Copies the broker's jars into KAFKA_LIBS once, and again only when the pom changes. Brokers
# with different KAFKA_DIRs share the folder, so concurrent starts resolve under a lock, into a
# fresh folder that replaces the old one in one rename (running brokers keep their open jars).
resolve_jars() {
  command -v java >/dev/null || die "java not found (run scripts/install-deps)"
  local stamp=$KAFKA_LIBS/.pom.sha256 sum
  sum=$(sha256sum "$pom" | cut -d' ' -f1)
  [[ -f $stamp && $(<"$stamp") == "$sum" ]] && return 0
  command -v mvn >/dev/null || die "mvn not found (run scripts/install-deps)"
  mkdir -p "$(dirname "$KAFKA_LIBS")"
  (
    flock 9
    [[ -f $stamp && $(<"$stamp") == "$sum" ]] && exit 0
    echo "kafka.sh: fetching the Kafka jars into $KAFKA_LIBS (Maven Central)" >&2
    rm -rf "$KAFKA_LIBS.new"
    mvn -B -q -f "$pom" dependency:copy-dependencies -DoutputDirectory="$KAFKA_LIBS.new" >"$KAFKA_LIBS.mvn.log" 2>&1 \
      || { cat "$KAFKA_LIBS.mvn.log" >&2; exit 1; }
    echo "$sum" >"$KAFKA_LIBS.new/.pom.sha256"
    rm -rf "$KAFKA_LIBS"
    mv "$KAFKA_LIBS.new" "$KAFKA_LIBS"
  ) 9>"$KAFKA_LIBS.lock"
}

# The broker logs through log4j 1.x (reload4j) to stdout, which start() sends to kafka.log; the
# tools run by this script log errors only.
write_config() {
  cat >"$KAFKA_DIR/server.properties" <<EOF
# Written by scripts/kafka.sh at every start; edits are lost.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$KAFKA_DIR/data
# One node: every internal topic has one replica, and few partitions keep the first consumer
# group and the first transaction fast.
num.partitions=$KAFKA_PARTITIONS
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=5
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=5
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
# After a crash the controller refuses the restarted broker until the old registration's session
# expires (9 s by default): shorter, with heartbeats that stay frequent enough for a busy machine.
broker.heartbeat.interval.ms=1000
broker.session.timeout.ms=4000
# Small segments and a week of retention: a development broker stays small on disk.
log.segment.bytes=16777216
log.retention.hours=168
log.retention.bytes=1073741824
log.retention.check.interval.ms=300000
num.recovery.threads.per.data.dir=1
EOF
  cat >"$KAFKA_DIR/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.org.apache.kafka.controller=INFO
log4j.logger.state.change.logger=INFO
EOF
  cat >"$KAFKA_DIR/tools-log4j.properties" <<'EOF'
log4j.rootLogger=ERROR, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
}

# Runs a Java main class (or a single-file source program) on the jar folder.
java_tool() {
  java -Xms64m -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$KAFKA_DIR/tools-log4j.properties" -cp "$KAFKA_LIBS/*" "$@"
}

# A KRaft log folder must be formatted once, with a cluster id, before the first start.
format_storage() {
  [[ -f $KAFKA_DIR/data/meta.properties ]] && return 0
  local cluster_id
  # The form Kafka's Uuid.randomUuid() produces: 16 random bytes, URL-safe base64 without padding,
  # never starting with '-'.
  cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  [[ $cluster_id == -* ]] && cluster_id=A${cluster_id:1}
  java_tool kafka.tools.StorageTool format --ignore-formatted -t "$cluster_id" -c "$KAFKA_DIR/server.properties" \
    >"$KAFKA_DIR/format.log" 2>&1 || { cat "$KAFKA_DIR/format.log" >&2; exit 1; }
}

# The readiness probe, one JVM that retries until its deadline (a JVM start costs about a
# second, too much for every poll). It creates the topics when missing, waits until every
# partition of KAFKA_TOPIC has a leader, then until a record produced with acks=all to the
# readiness topic is acknowledged. It gives up early when the broker process exits.
write_probe() {
  cat >"$KAFKA_DIR/KafkaReady.java.new" <<'EOF'
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;

// Arguments: bootstrap topic partitions readiness_topic timeout_seconds broker_pid.
public class KafkaReady {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0], topic = args[1], probe = args[3];
    int partitions = Integer.parseInt(args[2]);
    long deadline = System.nanoTime() + Long.parseLong(args[4]) * 1_000_000_000L;
    Optional<ProcessHandle> broker = ProcessHandle.of(Long.parseLong(args[5]));

    Properties admin_config = new Properties();
    admin_config.put("bootstrap.servers", bootstrap);
    admin_config.put("request.timeout.ms", "3000");
    admin_config.put("default.api.timeout.ms", "5000");
    admin_config.put("reconnect.backoff.max.ms", "200");
    Properties producer_config = new Properties();
    producer_config.put("bootstrap.servers", bootstrap);
    producer_config.put("acks", "all");
    producer_config.put("enable.idempotence", "false");
    producer_config.put("max.block.ms", "5000");
    producer_config.put("request.timeout.ms", "3000");
    producer_config.put("delivery.timeout.ms", "5000");
    producer_config.put("reconnect.backoff.max.ms", "200");

    String last_error = "no attempt";
    long backoff_ms = 100;
    try (Admin admin = Admin.create(admin_config);
         KafkaProducer<String, String> producer =
             new KafkaProducer<>(producer_config, new StringSerializer(), new StringSerializer())) {
      while (true) {
        if (broker.isEmpty() || !broker.get().isAlive()) Fail("the broker process exited");
        try {
          CreateIfMissing(admin, new NewTopic(topic, partitions, (short) 1));
          CreateIfMissing(admin, new NewTopic(probe, 1, (short) 1));
          TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
          for (TopicPartitionInfo partition : description.partitions()) {
            if (partition.leader() == null || partition.leader().isEmpty()) {
              throw new IllegalStateException(topic + "-" + partition.partition() + " has no leader yet");
            }
          }
          producer.send(new ProducerRecord<>(probe, "ready")).get();
          producer.close(Duration.ofSeconds(1));
          admin.close(Duration.ofSeconds(1));
          System.exit(0);
        } catch (ExecutionException e) {
          last_error = String.valueOf(e.getCause());
        } catch (RuntimeException e) {
          last_error = e.toString();
        }
        if (System.nanoTime() > deadline) Fail("not ready after " + args[4] + " s: " + last_error);
        Thread.sleep(backoff_ms);
        backoff_ms = Math.min(backoff_ms * 2, 1000);
      }
    }
  }

  static void CreateIfMissing(Admin admin, NewTopic topic) throws Exception {
    try {
      admin.createTopics(List.of(topic)).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) throw e;
    }
  }

  static void Fail(String message) {
    System.err.println("kafka.sh: " + message);
    System.exit(1);
  }
}
EOF
  mv "$KAFKA_DIR/KafkaReady.java.new" "$KAFKA_DIR/KafkaReady.java"
}

start() {
  resolve_jars
  mkdir -p "$KAFKA_DIR"
  # One start at a time per KAFKA_DIR: a second one waits, then finds the broker running.
  exec 8>"$KAFKA_DIR/start.lock"
  flock 8
  write_config
  format_storage
  local pid log_start
  log_start=$(stat -c %s "$log_file" 2>/dev/null || echo 0)
  if ! pid=$(broker_pid); then
    rm -f "$pid_file"
    # Detached (own session, no inherited descriptors but the log) so that it outlives this
    # script and never holds its caller's pipes open.
    setsid java -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExplicitGCInvokesConcurrent \
      -Djava.awt.headless=true -Dlog4j.configuration="file:$KAFKA_DIR/log4j.properties" \
      -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_DIR/server.properties" \
      </dev/null >>"$log_file" 2>&1 8>&- &
    pid=$!
    echo "$pid" >"$pid_file"
  fi
  write_probe
  java_tool "$KAFKA_DIR/KafkaReady.java" "127.0.0.1:$KAFKA_PORT" "$KAFKA_TOPIC" "$KAFKA_PARTITIONS" \
    "$readiness_topic" "$KAFKA_START_TIMEOUT" "$pid" \
    || {
      # The cause is usually an ERROR well before the last lines, which only show the shutdown.
      echo "kafka.sh: errors in $log_file since this start:" >&2
      tail -c "+$((log_start + 1))" "$log_file" | grep -m 10 -E '^\[[^]]*\] (ERROR|FATAL) ' >&2 || true
      echo "kafka.sh: the last lines of $log_file:" >&2
      tail -n 30 "$log_file" >&2
      exit 1
    }
}

# Sends a signal and waits (bounded) until the process is gone.
signal_and_wait() {
  local signal=$1 pid=$2 tries=$3
  kill "-$signal" "$pid" 2>/dev/null || true
  for ((i = 0; i < tries; i++)); do
    is_running || return 0
    sleep 0.1
  done
  return 1
}

stop() {
  local pid
  if pid=$(broker_pid); then
    signal_and_wait TERM "$pid" 300 || {
      echo "kafka.sh: the broker did not stop within 30 s; killing it" >&2
      signal_and_wait KILL "$pid" 100 || die "the broker (pid $pid) survived SIGKILL"
    }
  fi
  rm -f "$pid_file"
}

kill_broker() {
  local pid
  if pid=$(broker_pid); then
    signal_and_wait KILL "$pid" 100 || die "the broker (pid $pid) survived SIGKILL"
  fi
  rm -f "$pid_file"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  kill) kill_broker ;;
  status) is_running ;;
  brokers) echo "127.0.0.1:$KAFKA_PORT" ;;
  destroy) stop; rm -rf "$KAFKA_DIR" ;;
  jars) resolve_jars; echo "$KAFKA_LIBS" ;;
  *) echo "usage: $0 start|stop|kill|status|brokers|destroy|jars" >&2; exit 2 ;;
esac
