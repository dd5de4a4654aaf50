package carepath.clinic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The infusion suite of a clinic, for one patient's first infusion, as Carepath sees it from
 * outside: it reads Carepath's infusion events with the CloudEvents SDK and answers on the
 * inbound topic. Session scheduled: check the patient in. Session cleared: monitor vitals (one
 * reading above the systolic limit) and end the infusion. Session completed: done.
 * Every event read or sent is printed as one JSON line on stdout.
 */
final class InfusionSuite implements AutoCloseable {
    static final String EVENTS = "carepath.infusion.events";
    static final String INBOUND = "carepath.infusion.inbound";
    static final int DANGEROUS_SYSTOLIC = 186;
    private static final Duration READING_EVERY = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    record Settings(String bootstrap, String topicPrefix, PublishedSchemas schemas, String patientId,
            Duration timeout) {}

    private final Settings settings;
    private final KafkaConsumer<String, CloudEvent> consumer;
    private final KafkaProducer<String, CloudEvent> producer;
    private InboundEvents inbound;
    private String sessionId;
    private double doseMg;
    private int durationMinutes;
    private boolean infusionReported;
    private int sent;
    private int read;

    InfusionSuite(Settings settings) {
        this.settings = settings;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "clinic-infusion-suite-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, CloudEventDeserializer.class));
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, CloudEventSerializer.class,
                CloudEventSerializer.ENCODING_CONFIG, Encoding.STRUCTURED,
                CloudEventSerializer.EVENT_FORMAT_CONFIG, JsonFormat.CONTENT_TYPE));
    }

    /** 0 once the session is completed; 3 if Carepath deferred it; 2 on timeout. */
    int run() {
        consumer.subscribe(List.of(settings.topicPrefix() + EVENTS));
        Instant deadline = Instant.now().plus(settings.timeout());
        while (Instant.now().isBefore(deadline)) {
            for (ConsumerRecord<String, CloudEvent> record : consumer.poll(Duration.ofMillis(500))) {
                CloudEvent event = record.value();
                if (!settings.patientId().equals(event.getSubject())) {
                    continue;
                }
                JsonNode data = dataOf(event);
                report("read", event, record.topic(), record.partition(), record.key(), data);
                Integer outcome = react(event, data);
                if (outcome != null) {
                    summary(outcome == 0 ? "done" : "deferred");
                    return outcome;
                }
            }
        }
        summary("timeout");
        return 2;
    }

    private Integer react(CloudEvent event, JsonNode data) {
        String type = event.getType();
        if (type.equals("carepath.infusion.session-scheduled.v1") && sessionId == null
                && data.get("session_number").asInt() == 1) {
            sessionId = data.get("session_id").asText();
            doseMg = data.get("dose_mg").asDouble();
            durationMinutes = data.get("duration_minutes").asInt();
            String pathwayId = String.valueOf(event.getExtension("correlationid"));
            inbound = new InboundEvents(settings.schemas(), settings.patientId(), pathwayId);
            send(inbound.checkedIn(sessionId, time(data, "scheduled_for")));
        } else if (isOurs(type, data, "carepath.infusion.session-cleared.v1") && !infusionReported) {
            infusionReported = true;
            OffsetDateTime start = time(data, "cleared_at");
            for (int reading = 0; reading < 3; reading++) {
                int systolic = reading == 1 ? DANGEROUS_SYSTOLIC : 124;
                send(inbound.vitalsRecorded(
                        sessionId, start.plus(READING_EVERY.multipliedBy(reading + 1)), systolic));
            }
            send(inbound.sessionEnded(
                    sessionId, start.plusMinutes(durationMinutes), doseMg, durationMinutes));
        } else if (isOurs(type, data, "carepath.infusion.session-deferred.v1")) {
            return 3;
        } else if (isOurs(type, data, "carepath.infusion.session-completed.v1")) {
            return 0;
        }
        return null;
    }

    private boolean isOurs(String type, JsonNode data, String wanted) {
        return type.equals(wanted) && data.path("session_id").asText().equals(sessionId);
    }

    private void send(CloudEvent event) {
        String topic = settings.topicPrefix() + INBOUND;
        try {
            RecordMetadata written =
                    producer.send(new ProducerRecord<>(topic, event.getSubject(), event)).get();
            sent++;
            report("sent", event, written.topic(), written.partition(), event.getSubject(),
                    dataOf(event));
        } catch (InterruptedException error) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending " + event.getType(), error);
        } catch (ExecutionException error) {
            throw new IllegalStateException("Kafka refused " + event.getType(), error.getCause());
        }
    }

    private void report(String action, CloudEvent event, String topic, int partition, String key,
            JsonNode data) {
        if (action.equals("read")) {
            read++;
        }
        ObjectNode line = JSON.createObjectNode();
        line.put("action", action);
        line.put("type", event.getType());
        line.put("id", event.getId());
        line.put("source", event.getSource().toString());
        line.put("subject", event.getSubject());
        line.put("key", key);
        line.put("topic", topic);
        line.put("partition", partition);
        line.put("time", String.valueOf(event.getTime()));
        line.put("correlationid", String.valueOf(event.getExtension("correlationid")));
        Object causation = event.getExtension("causationid");
        line.put("causationid", causation == null ? null : causation.toString());
        line.set("data", data);
        System.out.println(line);
    }

    private void summary(String outcome) {
        ObjectNode line = JSON.createObjectNode();
        line.put("action", outcome);
        line.put("read", read);
        line.put("sent", sent);
        System.out.println(line);
    }

    private static JsonNode dataOf(CloudEvent event) {
        try {
            return JSON.readTree(event.getData().toBytes());
        } catch (IOException error) {
            throw new UncheckedIOException(error);
        }
    }

    private static OffsetDateTime time(JsonNode data, String field) {
        return OffsetDateTime.parse(data.get(field).asText());
    }

    @Override
    public void close() {
        consumer.close();
        producer.close();
    }
}
