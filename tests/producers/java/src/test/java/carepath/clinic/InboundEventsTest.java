package carepath.clinic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

/** Events are built to the published schemas, and the schemas refuse what Carepath would. */
class InboundEventsTest {
    static final PublishedSchemas SCHEMAS = new PublishedSchemas(Path.of("../../../contracts/schemas"));
    static final InboundEvents EVENTS = new InboundEvents(SCHEMAS, "pt-java-01", "pw-java-01");
    static final OffsetDateTime AT = OffsetDateTime.parse("2026-01-05T09:00:00Z");

    @Test
    void everyInboundEventMatchesItsPublishedSchema() {
        for (CloudEvent event : new CloudEvent[] {
                EVENTS.checkedIn("sess-1", AT),
                EVENTS.vitalsRecorded("sess-1", AT.plusMinutes(10), InfusionSuite.DANGEROUS_SYSTOLIC),
                EVENTS.sessionEnded("sess-1", AT.plusMinutes(40), 41.0, 40)}) {
            assertEquals(java.util.List.of(),
                    SCHEMAS.problems(event.getType(), InboundEvents.structured(event)));
        }
    }

    @Test
    void aCheckInWithoutVitalsIsRefused() {
        ObjectNode data = new ObjectMapper().createObjectNode();
        data.put("session_id", "sess-1");
        data.put("checked_in_at", "2026-01-05T09:00:00Z");
        data.put("pregnancy_test", "not_applicable");
        data.put("escort_present", true);
        CloudEvent event = EVENTS.event(InboundEvents.CHECKED_IN, InboundEvents.SUITE, AT, data);

        var refused = assertThrows(PublishedSchemas.InvalidEventException.class,
                () -> SCHEMAS.check(event.getType(), InboundEvents.structured(event)));
        assertTrue(refused.getMessage().contains("vitals"), refused.getMessage());
    }

    @Test
    void aReadingOutOfRangeIsRefusedBeforeItIsSent() {
        var refused = assertThrows(PublishedSchemas.InvalidEventException.class,
                () -> EVENTS.vitalsRecorded("sess-1", AT, 400));
        assertTrue(refused.getMessage().contains("systolic_mmhg"), refused.getMessage());
    }

    @Test
    void aTimeThatIsNotADateTimeIsRefused() {
        ObjectNode data = new ObjectMapper().createObjectNode();
        data.put("session_id", "sess-1");
        data.put("measured_at", "five past nine");
        data.put("systolic_mmhg", 120);
        data.put("diastolic_mmhg", 80);
        data.put("heart_rate_bpm", 70);
        data.put("spo2_percent", 98);
        CloudEvent event = EVENTS.event(InboundEvents.VITALS, InboundEvents.MONITOR, AT, data);

        assertTrue(SCHEMAS.problems(event.getType(), InboundEvents.structured(event)).stream()
                .anyMatch(problem -> problem.contains("measured_at")));
    }

    @Test
    void theWireFormIsStructuredCloudEventsJsonThatTheSdkReadsBack() {
        CloudEvent event = EVENTS.checkedIn("sess-1", AT);
        var format = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);
        CloudEvent back = format.deserialize(InboundEvents.structured(event));

        assertEquals(event.getId(), back.getId());
        assertEquals("pt-java-01", back.getSubject());
        assertEquals("pw-java-01", back.getExtension("correlationid"));
        assertEquals("application/cloudevents+json", format.serializedContentType());
    }
}
