package io.tunefleet.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.json.JsonMapper;

/** The {@code --json FILE} of every {@code tunefleet bench}: the figures, pretty-printed. */
final class BenchmarkJson {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private BenchmarkJson() {
    }

    /** Writes {@code figures} to the file {@code --json} names, if it names one, and says so. */
    static void writeIfAsked(Args args, Object figures, PrintStream out) throws IOException {
        if (args.has("json")) {
            Path file = Path.of(args.get("json", ""));
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(figures));
            out.println("Wrote " + file);
        }
    }
}
