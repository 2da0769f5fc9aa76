package io.tunefleet.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Reads a task file for the API: JSON as it is, YAML ({@code .yaml}, {@code .yml}) converted to JSON. */
final class TaskFiles {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Where the build puts a copy of {@code examples/quickstart.json} in the jar. */
    static final String QUICKSTART = "/examples/quickstart.json";

    private TaskFiles() {
    }

    /** The quickstart task built into the jar, so that {@code tunefleet demo} runs from any directory. */
    static String quickstart() {
        try (InputStream in = TaskFiles.class.getResourceAsStream(QUICKSTART)) {
            if (in == null) {
                throw new IllegalStateException(QUICKSTART + " is missing from the launcher's classpath; rebuild it");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The task as JSON text; the coordinator validates it and reports every problem. */
    static String readAsJson(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new Args.UsageException("task file " + file.toAbsolutePath() + " does not exist");
        } catch (IOException e) {
            throw new Args.UsageException("cannot read task file " + file + ": " + e);
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".yaml") && !name.endsWith(".yml")) {
            return text;
        }
        try {
            JsonNode tree = YAML.readTree(text);
            if (tree == null || !tree.isObject()) {
                throw new Args.UsageException("task file " + file + " must hold one YAML mapping (task_name: ...)");
            }
            return JSON.writeValueAsString(tree);
        } catch (JacksonException e) {
            throw new Args.UsageException("task file " + file + " is not valid YAML: " + e.getOriginalMessage());
        }
    }
}
