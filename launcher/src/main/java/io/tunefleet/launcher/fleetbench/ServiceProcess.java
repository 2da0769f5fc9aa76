package io.tunefleet.launcher.fleetbench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A tunefleet service (coordinator or worker) in a process of its own, started from the same jar or
 * classpath as this one, with its output in a log file; plus what /proc says about its CPU and memory.
 */
public final class ServiceProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private ServiceProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static ServiceProcess start(Path log, List<String> jvmOptions, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        String classpath = System.getProperty("java.class.path");
        if (!classpath.contains(java.io.File.pathSeparator) && classpath.endsWith(".jar")) {
            command.addAll(List.of("-jar", classpath));
        } else {
            command.addAll(List.of("-cp", classpath, "io.tunefleet.launcher.Main"));
        }
        command.addAll(args);
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ServiceProcess(process, log);
    }

    /**
     * The port a service started with {@code --port 0 --port-file FILE} serves on, once it wrote it:
     * waits for the file, and fails naming the log if the service exits first or does not write it
     * within {@code atMost}.
     */
    public int awaitPortFile(Path portFile, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                String written = Files.readString(portFile).trim();
                if (!written.isEmpty()) {
                    return Integer.parseInt(written);
                }
            } catch (IOException | NumberFormatException notYet) {
                // not written yet, or written half
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited before it served; see " + log);
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the service wrote no port to " + portFile + " within " + atMost + "; see " + log);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** Peak resident memory (VmHWM) in MiB, or -1 where /proc does not say. */
    public double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** User plus system CPU seconds so far, or -1 where unknown. */
    public double cpuSeconds() {
        return process.toHandle().info().totalCpuDuration().map(d -> d.toMillis() / 1000.0).orElse(-1.0);
    }

    /** The exit status once the process has ended (143 after a SIGTERM it obeyed, 137 after a SIGKILL). */
    public int exitCode() {
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no goodbye; returns once the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
