package io.tunefleet.worker.engine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.TopContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.DeviceRequest;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An engine in a container of its own: host networking (it listens on its reserved port on the host),
 * host IPC (shared memory for NCCL), only the reserved GPUs through a device request by index, the
 * binds it was given (the model read-only), and labels naming its owner so a reaper finds it after a
 * crash. The command is an argv list set as the entrypoint, never a shell string. Closing it stops
 * the container (TERM, then KILL after the grace period), saves its whole output to the log file and
 * removes it. Just before the stop it lists the container's processes ({@code docker top}), whose host
 * pids are what nvidia-smi on the host shows of a process left on a GPU ({@link #pids()}).
 */
public final class DockerEngine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DockerEngine.class);

    /**
     * What to run.
     *
     * @param name              container name, unique on the host
     * @param image             image with its tag, present locally
     * @param argv              the engine command, run as the entrypoint
     * @param gpus              host indices of the reserved GPUs
     * @param gpuDeviceRequests false only where there is no GPU runtime (tests): no device request is made
     * @param labels            owner labels
     * @param binds             {@code host:container[:ro]} mounts
     * @param logFile           where the container's output is kept after it is removed
     * @param stopGrace         how long the engine gets after TERM before KILL
     */
    public record Spec(String name, String image, List<String> argv, List<Integer> gpus, boolean gpuDeviceRequests,
                       Map<String, String> labels, List<String> binds, Path logFile, Duration stopGrace) {
        public Spec {
            argv = List.copyOf(argv);
            gpus = List.copyOf(gpus);
            labels = Map.copyOf(labels);
            binds = List.copyOf(binds);
        }
    }

    private final DockerClient docker;
    private final String id;
    private final Spec spec;
    private boolean closed;
    /** The host pids of the container's processes, listed as it was closed. */
    private Set<Integer> pids = Set.of();

    private DockerEngine(DockerClient docker, String id, Spec spec) {
        this.docker = docker;
        this.id = id;
        this.spec = spec;
    }

    /** Creates and starts the container; a container that was created but did not start is removed. */
    public static DockerEngine start(DockerClient docker, Spec spec) throws IOException {
        Files.createDirectories(spec.logFile().toAbsolutePath().getParent());
        CreateContainerResponse created;
        try {
            created = docker.createContainerCmd(spec.image()).withName(spec.name()).withEntrypoint(spec.argv())
                    .withLabels(spec.labels()).withHostConfig(hostConfig(spec)).exec();
        } catch (RuntimeException e) { // DockerException, or the transport's when the engine does not answer
            throw new IOException("could not create container " + spec.name() + " from " + spec.image() + ": "
                    + e.getMessage(), e);
        }
        DockerEngine engine = new DockerEngine(docker, created.getId(), spec);
        try {
            docker.startContainerCmd(created.getId()).exec();
        } catch (RuntimeException e) {
            engine.close();
            throw new IOException("could not start container " + spec.name() + ": " + e.getMessage(), e);
        }
        return engine;
    }

    /** Host networking and IPC, the binds, and the reserved GPUs only. */
    public static HostConfig hostConfig(Spec spec) {
        List<Bind> binds = new ArrayList<>();
        for (String bind : spec.binds()) {
            binds.add(Bind.parse(bind));
        }
        HostConfig host = HostConfig.newHostConfig().withNetworkMode("host").withIpcMode("host").withBinds(binds);
        if (spec.gpuDeviceRequests()) {
            host.withDeviceRequests(List.of(new DeviceRequest().withDriver("nvidia")
                    .withDeviceIds(spec.gpus().stream().map(String::valueOf).toList())
                    .withCapabilities(List.of(List.of("gpu")))));
        }
        return host;
    }

    public String containerId() {
        return id;
    }

    public Path logFile() {
        return spec.logFile();
    }

    /** False once the container has exited or is gone. */
    public boolean alive() {
        try {
            InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(id).exec().getState();
            return Boolean.TRUE.equals(state.getRunning());
        } catch (NotFoundException e) {
            return false;
        } catch (RuntimeException e) {
            log.warn("container {}: Docker engine did not answer ({}); counting the engine as dead", spec.name(),
                    e.getMessage());
            return false;
        }
    }

    /** The last lines of the container's output (stdout and stderr). */
    public String logTail(int lines) {
        try {
            return logs(lines).strip();
        } catch (IOException | RuntimeException e) {
            return "(no log of container " + spec.name() + ": " + e.getMessage() + ")";
        }
    }

    private String logs(Integer tail) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        var cmd = docker.logContainerCmd(id).withStdOut(true).withStdErr(true);
        if (tail != null) {
            cmd.withTail(tail);
        }
        try {
            cmd.exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    out.writeBytes(frame.getPayload());
                }
            }).awaitCompletion(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the logs", e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * The host pids of the container's processes: after {@link #close()}, those it had just before it
     * was stopped; before, those it has now. Empty where Docker could not list them (the container had
     * already exited, or the Docker engine did not answer).
     */
    public synchronized Set<Integer> pids() {
        return closed ? pids : top();
    }

    /** The PID column of {@code docker top}: host pids, as {@code ps} on the host runs it. Never throws. */
    private Set<Integer> top() {
        try {
            TopContainerResponse top = docker.topContainerCmd(id).exec();
            return hostPids(top.getTitles(), top.getProcesses());
        } catch (NotFoundException | ConflictException e) {
            // Gone, or not running: its processes ended with it.
            log.debug("container {}: no processes to list ({})", spec.name(), e.getMessage());
            return Set.of();
        } catch (RuntimeException e) {
            // The clean release then has only the GPUs' memory to go by.
            log.warn("container {}: its processes could not be listed ({}); a GPU it leaves dirty is known by "
                    + "its memory only", spec.name(), e.getMessage());
            return Set.of();
        }
    }

    /** The pids in the column titled PID of a {@code docker top} answer; empty without one. */
    public static Set<Integer> hostPids(String[] titles, String[][] processes) {
        int column = titles == null ? -1 : List.of(titles).indexOf("PID");
        if (column < 0 || processes == null) {
            return Set.of();
        }
        Set<Integer> pids = new TreeSet<>();
        for (String[] row : processes) {
            if (row != null && row.length > column) {
                try {
                    pids.add(Integer.valueOf(row[column].trim()));
                } catch (NumberFormatException e) {
                    // not a pid: skip the row
                }
            }
        }
        return Collections.unmodifiableSet(pids);
    }

    /**
     * Lists its processes ({@link #pids()}), stops the container (TERM, KILL after the grace period),
     * keeps its output, removes it.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        boolean interrupted = Thread.interrupted(); // a timeout or cancel must not skip the cleanup
        try {
            closed = true;
            pids = top();
            try {
                docker.stopContainerCmd(id).withTimeout((int) Math.max(1, spec.stopGrace().toSeconds())).exec();
            } catch (NotModifiedException | NotFoundException e) {
                // already stopped, or gone
            } catch (RuntimeException e) {
                log.warn("container {} did not stop ({}); removing it by force", spec.name(), e.getMessage());
            }
            try {
                Files.writeString(spec.logFile(), logs(null), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                log.warn("container {}: output not saved to {}: {}", spec.name(), spec.logFile(), e.getMessage());
            }
            try {
                remove(docker, id);
            } catch (RuntimeException e) {
                log.error("container {} ({}) not removed: {}; the orphan reaper removes it at the next worker start",
                        spec.name(), id, e.getMessage());
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Removes a container by force, with its anonymous volumes; one already gone is fine. */
    public static void remove(DockerClient docker, String containerId) {
        try {
            docker.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // already gone
        } catch (DockerException e) {
            if (!String.valueOf(e.getMessage()).contains("already in progress")) {
                throw e;
            }
        }
    }
}
