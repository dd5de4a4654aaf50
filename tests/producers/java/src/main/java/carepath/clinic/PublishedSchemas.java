package carepath.clinic;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON Schemas Carepath publishes, one per event type ({@code contracts/schemas/<type>.json},
 * draft 2020-12, the whole CloudEvent in structured JSON). An event is sent only if the exact
 * bytes about to go out validate against the schema of its type, formats included.
 */
final class PublishedSchemas {
    private final Path directory;
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(
                    SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    private final Map<String, Schema> byType = new HashMap<>();
    private final JsonMapper json = JsonMapper.builder().build();

    PublishedSchemas(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("no schema directory " + directory);
        }
        this.directory = directory;
    }

    /** What is wrong with a structured CloudEvent of this type; empty when it is valid. */
    List<String> problems(String type, byte[] structuredJson) {
        Schema schema = byType.computeIfAbsent(type, this::load);
        return schema.validate(json.readTree(structuredJson)).stream().map(Error::toString).toList();
    }

    /** Refuses (throws) an event that does not match its published schema. */
    void check(String type, byte[] structuredJson) {
        List<String> problems = problems(type, structuredJson);
        if (!problems.isEmpty()) {
            throw new InvalidEventException(
                    type + " does not match " + type + ".json: " + String.join("; ", problems));
        }
    }

    private Schema load(String type) {
        Path file = directory.resolve(type + ".json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no published schema for " + type + " in " + directory);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return registry.getSchema(in);
        } catch (IOException error) {
            throw new UncheckedIOException(error);
        }
    }

    /** An event that its published schema refuses: never sent. */
    static final class InvalidEventException extends RuntimeException {
        InvalidEventException(String message) {
            super(message);
        }
    }
}
