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
        long start = System.nanoTime();
        String last = "";
        while (true) {
            task = api.task(id);
            long elapsed = (System.nanoTime() - start) / 1_000_000_000L;
            String line = Report.progress(task, elapsed);
            if (!line.substring(7).equals(last)) {
                out.println(line);
                last = line.substring(7);
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
