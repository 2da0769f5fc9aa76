package io.tunefleet.worker.runtime;

import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.Schema;
import io.tunefleet.common.task.BenchmarkSpec;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Test jobs. */
public final class Jobs {

    private Jobs() {
    }

    public static JobMessage job(String runtime, Map<String, Object> params, BenchmarkSpec bench, long timeoutS) {
        return new JobMessage(Schema.VERSION, 7, 42, 1, 1, runtime, "meta-llama/Llama-3.1-8B-Instruct", "latest",
                new TreeMap<>(params), bench, timeoutS);
    }

    public static BenchmarkSpec smallBenchmark() {
        return new BenchmarkSpec(List.of("D(16,4)"), List.of(1, 2), 10, 4);
    }
}
