package carepath.clinic;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code java -jar clinic-infusion-suite.jar --bootstrap HOST:PORT --patient ID
 * [--topic-prefix P] [--schemas DIR] [--timeout-seconds N]}
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        Map<String, String> options = options(args);
        String patient = options.get("patient");
        String bootstrap = options.get("bootstrap");
        if (patient == null || bootstrap == null) {
            System.err.println("usage: --bootstrap HOST:PORT --patient ID [--topic-prefix P] "
                    + "[--schemas contracts/schemas] [--timeout-seconds 120]");
            System.exit(64);
        }
        InfusionSuite.Settings settings = new InfusionSuite.Settings(
                bootstrap,
                options.getOrDefault("topic-prefix", ""),
                new PublishedSchemas(Path.of(options.getOrDefault("schemas", "contracts/schemas"))),
                patient,
                Duration.ofSeconds(Long.parseLong(options.getOrDefault("timeout-seconds", "120"))));
        int status;
        try (InfusionSuite suite = new InfusionSuite(settings)) {
            status = suite.run();
        }
        System.exit(status);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }
}
