package io.tunefleet.worker.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Parses the CSV that nvidia-smi prints with {@code --format=csv,noheader,nounits}.
 *
 * <p>Real output has a space after each comma, may end lines with CRLF (Windows, or a capture
 * copied through one), may have blank lines, and says {@code [N/A]} or {@code [Not Supported]} where
 * a figure does not exist (utilization under MIG, per-process memory inside a container). Those
 * placeholders become empty optionals or {@link GpuInfo#UNKNOWN_MIB}; anything else that is not a
 * number is an error that quotes the line.
 */
final class NvidiaSmiParser {

    static final String GPU_FIELDS = "index,uuid,name,memory.total,memory.used,utilization.gpu";
    static final String PROCESS_FIELDS = "gpu_uuid,pid,used_memory";
    /** Telemetry while an experiment runs; power.draw is in watts with decimals. */
    static final String SAMPLE_FIELDS = "index,utilization.gpu,memory.used,power.draw";

    /** nvidia-smi prints this instead of nothing on some driver versions when no process runs. */
    private static final String NO_PROCESSES = "No running processes found";

    private NvidiaSmiParser() {
    }

    static List<GpuInfo> parseGpus(String output) {
        List<GpuInfo> gpus = new ArrayList<>();
        forEachLine(output, (number, line) -> {
            String[] f = fields(line, number, 6, "--query-gpu", GPU_FIELDS);
            gpus.add(new GpuInfo(
                    (int) number(f[0], "index", number, line),
                    uuid(f[1], number, line),
                    f[2],
                    optionalNumber(f[3], "memory.total", number, line).orElse(GpuInfo.UNKNOWN_MIB),
                    optionalNumber(f[4], "memory.used", number, line).orElse(GpuInfo.UNKNOWN_MIB),
                    toInt(optionalNumber(f[5], "utilization.gpu", number, line))));
        });
        return List.copyOf(gpus);
    }

    static List<GpuSample> parseSamples(String output) {
        List<GpuSample> samples = new ArrayList<>();
        forEachLine(output, (number, line) -> {
            String[] f = fields(line, number, 4, "--query-gpu", SAMPLE_FIELDS);
            java.util.OptionalDouble power = java.util.OptionalDouble.empty();
            if (!isPlaceholder(f[3])) {
                try {
                    power = java.util.OptionalDouble.of(Double.parseDouble(f[3]));
                } catch (NumberFormatException e) {
                    throw malformed(number, line, "power.draw '" + f[3] + "' is not a number");
                }
            }
            samples.add(new GpuSample((int) number(f[0], "index", number, line),
                    toInt(optionalNumber(f[1], "utilization.gpu", number, line)),
                    optionalNumber(f[2], "memory.used", number, line).orElse(GpuInfo.UNKNOWN_MIB), power));
        });
        return List.copyOf(samples);
    }

    static List<GpuProcess> parseProcesses(String output) {
        List<GpuProcess> processes = new ArrayList<>();
        forEachLine(output, (number, line) -> {
            if (line.equals(NO_PROCESSES)) {
                return;
            }
            String[] f = fields(line, number, 3, "--query-compute-apps", PROCESS_FIELDS);
            processes.add(new GpuProcess(
                    uuid(f[0], number, line),
                    (int) number(f[1], "pid", number, line),
                    optionalNumber(f[2], "used_memory", number, line)));
        });
        return List.copyOf(processes);
    }

    private interface LineHandler {
        void accept(int lineNumber, String line);
    }

    private static void forEachLine(String output, LineHandler handler) {
        if (output == null) {
            return;
        }
        // split("\\R") takes \n, \r\n and a lone \r alike; line numbers are 1-based as an editor shows them.
        String[] lines = output.split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1).strip();
            }
            // nvidia-smi's own warnings ("WARNING: infoROM is corrupted at gpu 0000:0B:00.0") come with its rows.
            if (!line.isEmpty() && !line.startsWith("WARNING:")) {
                handler.accept(i + 1, line);
            }
        }
    }

    private static String[] fields(String line, int number, int expected, String query, String names) {
        // A GPU name never contains a comma, so a plain split is exact.
        String[] f = line.split(",", -1);
        if (f.length != expected) {
            throw malformed(number, line, "expected " + expected + " comma-separated fields (" + names
                    + ") as printed by nvidia-smi " + query + " --format=csv,noheader,nounits, got " + f.length);
        }
        for (int i = 0; i < f.length; i++) {
            f[i] = f[i].strip();
        }
        return f;
    }

    private static String uuid(String value, int number, String line) {
        if (value.isEmpty() || isPlaceholder(value)) {
            throw malformed(number, line, "the GPU uuid is missing");
        }
        return value;
    }

    private static long number(String value, String field, int number, String line) {
        return optionalNumber(value, field, number, line)
                .orElseThrow(() -> malformed(number, line, field + " is " + value + " but must be a number"));
    }

    private static OptionalLong optionalNumber(String value, String field, int number, String line) {
        if (isPlaceholder(value)) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(value));
        } catch (NumberFormatException e) {
            throw malformed(number, line, field + " '" + value + "' is not a whole number"
                    + " (was nvidia-smi run without 'nounits'?)");
        }
    }

    /** nvidia-smi's ways of saying "no such figure": [N/A], [Not Supported], [Unknown Error], ... */
    private static boolean isPlaceholder(String value) {
        return value.startsWith("[") && value.endsWith("]") || value.equals("N/A");
    }

    private static OptionalInt toInt(OptionalLong value) {
        return value.isPresent() ? OptionalInt.of((int) value.getAsLong()) : OptionalInt.empty();
    }

    private static GpuInventoryException malformed(int number, String line, String problem) {
        return new GpuInventoryException("malformed nvidia-smi output at line " + number + ": " + problem
                + "; the line was: '" + line + "'");
    }
}
