package carepath.clinic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonCloudEventData;
import io.cloudevents.jackson.JsonFormat;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * The facts an infusion suite reports to Carepath ({@code carepath.infusion.inbound}), built as
 * CloudEvents 1.0 with the attributes and data fields of the published schemas, and checked
 * against those schemas before anyone may send them.
 */
final class InboundEvents {
    static final String CHECKED_IN = "carepath.infusion.session-checked-in.v1";
    static final String VITALS = "carepath.infusion.vitals-recorded.v1";
    static final String ENDED = "carepath.infusion.session-ended.v1";
    // The CloudEvents sources the contracts register for these producers.
    static final String SUITE = "clinic/infusion-suite";
    static final String MONITOR = "clinic/monitor";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EventFormat FORMAT =
            EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);

    private final PublishedSchemas schemas;
    private final String patientId;
    private final String pathwayId;

    InboundEvents(PublishedSchemas schemas, String patientId, String pathwayId) {
        this.schemas = schemas;
        this.patientId = patientId;
        this.pathwayId = pathwayId;
    }

    CloudEvent checkedIn(String sessionId, OffsetDateTime at) {
        ObjectNode data = JSON.createObjectNode();
        data.put("session_id", sessionId);
        data.put("checked_in_at", instant(at));
        data.set("vitals", vitals(122, 78, 72, 98));
        data.put("pregnancy_test", "not_applicable");
        data.put("escort_present", true);
        return checked(CHECKED_IN, SUITE, at, data);
    }

    CloudEvent vitalsRecorded(String sessionId, OffsetDateTime at, int systolicMmhg) {
        ObjectNode data = vitals(systolicMmhg, 80, 76, 97);
        data.put("session_id", sessionId);
        data.put("measured_at", instant(at));
        return checked(VITALS, MONITOR, at, data);
    }

    CloudEvent sessionEnded(String sessionId, OffsetDateTime at, double doseMg, int minutes) {
        ObjectNode data = JSON.createObjectNode();
        data.put("session_id", sessionId);
        data.put("ended_at", instant(at));
        data.put("dose_given_mg", doseMg);
        data.put("duration_minutes", minutes);
        data.put("peak_dissociation_cadss", 18);
        data.put("serious_adverse_event", false);
        return checked(ENDED, SUITE, at, data);
    }

    /** The structured-mode JSON of an event: the bytes that go on the wire. */
    static byte[] structured(CloudEvent event) {
        return FORMAT.serialize(event);
    }

    CloudEvent event(String type, String source, OffsetDateTime time, ObjectNode data) {
        return CloudEventBuilder.v1()
                .withId(UUID.randomUUID().toString())
                .withSource(URI.create(source))
                .withType(type)
                .withSubject(patientId)
                .withTime(time.withOffsetSameInstant(ZoneOffset.UTC))
                .withDataContentType("application/json")
                .withDataSchema(URI.create("urn:carepath:schema:" + type))
                .withExtension("correlationid", pathwayId)
                .withData(JsonCloudEventData.wrap(data))
                .build();
    }

    private CloudEvent checked(String type, String source, OffsetDateTime time, ObjectNode data) {
        CloudEvent event = event(type, source, time, data);
        schemas.check(type, structured(event));
        return event;
    }

    private static ObjectNode vitals(int systolic, int diastolic, int heartRate, int spo2) {
        ObjectNode vitals = JSON.createObjectNode();
        vitals.put("systolic_mmhg", systolic);
        vitals.put("diastolic_mmhg", diastolic);
        vitals.put("heart_rate_bpm", heartRate);
        vitals.put("spo2_percent", spo2);
        return vitals;
    }

    private static String instant(OffsetDateTime at) {
        return at.withOffsetSameInstant(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }
}
