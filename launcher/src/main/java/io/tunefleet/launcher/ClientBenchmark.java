package io.tunefleet.launcher;

import io.tunefleet.worker.bench.ClientAccuracy;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code tunefleet bench client}: how closely the built-in benchmark client measures a server. The
 * sim engine is pinned to a TTFT of 100 ms and a TPOT of 20 ms; the client runs at concurrency 1
 * and 64 for a few rounds; the goal is a mean within 2 ms and 3 % of the configured values.
 */
final class ClientBenchmark {

    static final double TTFT_MS = 100;
    static final double TPOT_MS = 20;
    static final int OUTPUT_TOKENS = 32;
    static final double GOAL_MS = 2;
    static final double GOAL_FRACTION = 0.03;

    private ClientBenchmark() {
    }

    static int run(Args args, PrintStream out) throws Exception {
        int rounds = Integer.parseInt(args.get("rounds", "5"));
        if (rounds < 1) {
            throw new Args.UsageException("--rounds must be at least 1, got " + rounds);
        }
        out.printf(Locale.ROOT, "Benchmark client against the sim engine pinned to TTFT %.0f ms, TPOT %.0f ms, %d output"
                + " tokens, over HTTP on 127.0.0.1; %d rounds%n", TTFT_MS, TPOT_MS, OUTPUT_TOKENS, rounds);
        List<Map<String, Object>> levels = new ArrayList<>();
        for (int[] level : new int[][] {{1, 20}, {64, 256}}) {
            double worstTtft = 0;
            double worstTpot = 0;
            double worstOverhead = 0;
            for (int r = 0; r < rounds; r++) {
                ClientAccuracy.Figures f = ClientAccuracy.measure(level[0], level[1], TTFT_MS, TPOT_MS, OUTPUT_TOKENS);
                out.println("  " + f.describe());
                worstTtft = Math.max(worstTtft, Math.abs(f.ttftErrorMs()));
                worstTpot = Math.max(worstTpot, Math.abs(f.tpotErrorMs()));
                worstOverhead = Math.max(worstOverhead, Math.abs(f.ttftOverheadMs()));
            }
            boolean met = worstTtft <= bound(TTFT_MS) && worstTpot <= bound(TPOT_MS);
            out.printf(Locale.ROOT, "concurrency %d: worst TTFT error %.2f ms (bound %.1f), worst TPOT error %.3f ms"
                            + " (bound %.1f), worst client TTFT overhead %.2f ms: goal %s%n", level[0], worstTtft,
                    bound(TTFT_MS), worstTpot, bound(TPOT_MS), worstOverhead, met ? "met" : "NOT met");
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("concurrency", level[0]);
            row.put("requests", level[1]);
            row.put("rounds", rounds);
            row.put("worst_ttft_error_ms", worstTtft);
            row.put("worst_tpot_error_ms", worstTpot);
            row.put("worst_ttft_client_overhead_ms", worstOverhead);
            row.put("goal_met", met);
            levels.add(row);
        }
        BenchmarkJson.writeIfAsked(args, levels, out);
        return 0;
    }

    /** Within 2 ms and within 3 %: the tighter of the two. */
    static double bound(double truthMs) {
        return Math.min(GOAL_MS, GOAL_FRACTION * truthMs);
    }
}
