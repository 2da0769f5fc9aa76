package io.tunefleet.launcher;

import java.io.PrintStream;
import java.util.Map;

/** Submits a task and follows it to the end, printing progress, the experiments and the best result. */
final class Watch {

    private final ApiClient api;
    private final PrintStream out;

    Watch(ApiClient api, PrintStream out) {
        this.api = api;
        this.out = out;
    }

    /** @return 0 when the task completed, 1 otherwise */
    int submitAndWatch(String json, String source) throws InterruptedException {
        Map<String, Object> task = api.submit(json);
        long id = ((Number) task.get("id")).longValue();
        out.printf("Submitted %s as task %d '%s': %s, objective %s, up to %s experiments, %s at a time%n", source, id,
                task.get("name"), task.get("strategy"), task.get("objective"), task.get("maxIterations"),
                task.get("maxParallelExperiments"));
        return follow(id);
    }

    /** Follows a submitted task to its end. @return 0 when the task completed, 1 otherwise */
    int follow(long id) throws InterruptedException {
        Map<String, Object> task;
        long start = System.nanoTime();
        String last = "";
        int succeededSeen = 0;
        Number best = null;
        while (true) {
            task = api.task(id);
            int succeeded = Report.count((Map<?, ?>) task.get("experiments"), "SUCCEEDED");
            if (succeeded != succeededSeen) {
                Map<String, Object> b = api.bestOrNull(id);
                best = b == null ? null : (Number) b.get("objective_value");
                succeededSeen = succeeded;
            }
            long elapsed = (System.nanoTime() - start) / 1_000_000_000L;
            String line = Report.progress(task, elapsed, best);
            // A new line when the counts change, not for the clock or the estimate alone.
            String key = line.substring(7).replaceAll("  ETA .*", "");
            if (!key.equals(last)) {
                out.println(line);
                last = key;
            }
            String status = String.valueOf(task.get("status"));
            if (!status.equals("PENDING") && !status.equals("RUNNING")) {
                break;
            }
            Thread.sleep(500);
        }
        Report.experiments(out, api.experiments(id), String.valueOf(task.get("objective")));
        String status = String.valueOf(task.get("status"));
        out.printf("%nTask %d %s (%s).%n", id, status, task.get("stopReason"));
        if (status.equals("COMPLETED")) {
            Report.best(out, api.best(id));
            return 0;
        }
        return 1;
    }
}
