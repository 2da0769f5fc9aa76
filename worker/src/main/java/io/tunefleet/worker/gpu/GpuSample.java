package io.tunefleet.worker.gpu;

import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * One telemetry reading of one GPU while an experiment runs.
 *
 * @param memoryUsedMib framebuffer in use, or {@link GpuInfo#UNKNOWN_MIB}
 * @param powerWatts    board power draw; empty where nvidia-smi does not report it (and on simulated GPUs)
 */
public record GpuSample(int index, OptionalInt utilizationPercent, long memoryUsedMib, OptionalDouble powerWatts) {
}
