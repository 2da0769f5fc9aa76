package io.tunefleet.worker.gpu;

import io.tunefleet.worker.concurrent.Timers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the reserved GPUs' utilization, memory and power while an experiment runs, and sums them
 * up as result metrics: {@code gpu_utilization_mean_pct}, {@code gpu_utilization_max_pct},
 * {@code gpu_memory_used_max_mib}, {@code gpu_power_mean_w} (where known), {@code gpu_telemetry_samples}.
 */
public final class TelemetrySampler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TelemetrySampler.class);
    /** Each run's sampling task is cancelled when the run ends; forgotten then (see {@link Timers}). */
    private static final ScheduledExecutorService TIMER = Timers.daemon("gpu-telemetry");

    private final GpuPool pool;
    private final List<Integer> gpus;
    private final List<GpuSample> samples = new ArrayList<>();
    private final ScheduledFuture<?> task;
    private volatile boolean failedOnce;

    private TelemetrySampler(GpuPool pool, List<Integer> gpus, Duration every) {
        this.pool = pool;
        this.gpus = List.copyOf(gpus);
        // The first sample one period in: the engine is only starting at 0, and a run shorter than a
        // period (a zero-length benchmark experiment) costs no sample at all.
        this.task = TIMER.scheduleWithFixedDelay(this::sample, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Starts sampling {@code gpus} every {@code every} until {@link #close()}. */
    public static TelemetrySampler start(GpuPool pool, List<Integer> gpus, Duration every) {
        return new TelemetrySampler(pool, gpus, every);
    }

    private void sample() {
        try {
            List<GpuSample> now = pool.sample(gpus);
            synchronized (samples) {
                samples.addAll(now);
            }
        } catch (RuntimeException e) {
            if (!failedOnce) {
                failedOnce = true;
                log.warn("GPU telemetry of {} could not be read ({}); the result will lack it", gpus, e.getMessage());
            }
        }
    }

    /** Stops sampling and returns the summary; empty when nothing was sampled. */
    public Map<String, Double> stop() {
        task.cancel(false);
        List<GpuSample> taken;
        synchronized (samples) {
            taken = List.copyOf(samples);
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (taken.isEmpty()) {
            return metrics;
        }
        metrics.put("gpu_telemetry_samples", (double) taken.size());
        OptionalDouble utilMean = taken.stream().filter(s -> s.utilizationPercent().isPresent())
                .mapToInt(s -> s.utilizationPercent().getAsInt()).average();
        utilMean.ifPresent(v -> metrics.put("gpu_utilization_mean_pct", Math.round(v * 10) / 10.0));
        taken.stream().filter(s -> s.utilizationPercent().isPresent()).mapToInt(s -> s.utilizationPercent().getAsInt())
                .max().ifPresent(v -> metrics.put("gpu_utilization_max_pct", (double) v));
        taken.stream().filter(s -> s.memoryUsedMib() >= 0).mapToLong(GpuSample::memoryUsedMib).max()
                .ifPresent(v -> metrics.put("gpu_memory_used_max_mib", (double) v));
        taken.stream().filter(s -> s.powerWatts().isPresent()).mapToDouble(s -> s.powerWatts().getAsDouble())
                .average().ifPresent(v -> metrics.put("gpu_power_mean_w", Math.round(v * 10) / 10.0));
        return metrics;
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
