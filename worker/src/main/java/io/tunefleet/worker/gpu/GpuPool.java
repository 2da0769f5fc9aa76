package io.tunefleet.worker.gpu;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GPUs of this host and who holds them. Reservations are all-or-nothing and exclusive: within
 * this JVM through one monitor, across processes on the host through one OS file lock per GPU
 * ({@code <lockDir>/gpu-<uuid>.lock}), which the OS drops if the process dies.
 *
 * <p>{@link #tryReserve} and {@link #refresh} run nvidia-smi (outside the monitor). The counts and
 * {@link #snapshot()} are cheap and describe the state as of the last of those calls.
 */
public final class GpuPool {

    private static final Logger log = LoggerFactory.getLogger(GpuPool.class);

    /**
     * Told about every reservation and release. {@code onReleased} is called before the GPUs become
     * free and {@code onReserved} after they are taken, so a listener's timeline never shows one GPU
     * with two holders. Called on the caller's thread; keep them quick. Exceptions are logged and ignored.
     */
    public interface Listener {
        void onReserved(GpuReservation reservation);

        void onReleased(GpuReservation reservation);
    }

    private final GpuInventory inventory;
    private final GpuLocks locks;
    private final Clock clock;
    private final GpuPoolSettings settings;
    private final CleanRelease cleanRelease;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Object monitor = new Object();
    /** By index; the map is fixed at construction, the slots' fields are guarded by {@link #monitor}. */
    private final TreeMap<Integer, Slot> slots = new TreeMap<>();
    /** How the GPUs are linked, read once at start; multi-GPU reservations take the best-linked set. */
    private final GpuTopology topology;

    public GpuPool(GpuInventory inventory, Path lockDir, Clock clock) {
        this(inventory, lockDir, clock, GpuPoolSettings.defaults());
    }

    public GpuPool(GpuInventory inventory, Path lockDir, Clock clock, GpuPoolSettings settings) {
        this(inventory, lockDir, clock, settings, d -> Thread.sleep(d.toMillis()));
    }

    GpuPool(GpuInventory inventory, Path lockDir, Clock clock, GpuPoolSettings settings, CleanRelease.Sleeper sleeper) {
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        this.locks = new GpuLocks(Objects.requireNonNull(lockDir, "lockDir"));
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.cleanRelease = new CleanRelease(inventory, clock, sleeper, settings.baselineToleranceMib(),
                settings.cleanPollInterval());
        for (GpuInfo gpu : inventory.gpus()) {
            if (slots.put(gpu.index(), new Slot(gpu.index(), gpu.uuid())) != null) {
                throw new GpuInventoryException("nvidia-smi lists GPU index " + gpu.index() + " twice");
            }
        }
        this.topology = readTopology(inventory);
        refresh();
    }

    private static GpuTopology readTopology(GpuInventory inventory) {
        try {
            GpuTopology topology = inventory.topology();
            if (topology.known()) {
                log.info("GPU links (nvidia-smi topo -m): {}", topology.describe());
            }
            return topology;
        } catch (GpuInventoryException e) {
            log.warn("GPU topology unknown, multi-GPU reservations take the lowest consecutive indices: {}",
                    e.getMessage());
            return GpuTopology.UNKNOWN;
        }
    }

    public GpuTopology topology() {
        return topology;
    }

    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Reserves exactly {@code count} GPUs that are free, not quarantined, not busy with foreign
     * processes and whose lock no other process holds; the lowest-index consecutive block when there
     * is one, else the lowest indices; on a host whose topology is known, the set joined by the
     * fastest links ({@link BlockChooser}).
     *
     * @return empty when not enough are available now (losing a race is normal)
     * @throws GpuInventoryException when nvidia-smi cannot be read
     */
    public Optional<GpuReservation> tryReserve(int count, String owner) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, got " + count);
        }
        if (owner == null || owner.isBlank()) {
            throw new IllegalArgumentException("a reservation needs an owner");
        }
        if (count > slots.size()) {
            return Optional.empty();
        }
        Observation seen = observe();
        GpuReservation reservation;
        synchronized (monitor) {
            apply(seen);
            reservation = reserveLocked(count, owner, seen);
        }
        if (reservation != null) {
            log.debug("reserved GPUs {} for {}", reservation.indices(), owner);
            listeners.forEach(l -> notify(l, reservation, true));
        }
        return Optional.ofNullable(reservation);
    }

    private GpuReservation reserveLocked(int count, String owner, Observation seen) {
        NavigableSet<Integer> candidates = new TreeSet<>();
        slots.values().stream().filter(Slot::reservable).forEach(s -> candidates.add(s.index));
        // Each lock another process holds knocks one GPU out; choose again from the rest.
        while (candidates.size() >= count) {
            List<Integer> pick = BlockChooser.choose(candidates, count, topology);
            Map<Integer, GpuLocks.Held> taken = new LinkedHashMap<>();
            Integer refused = null;
            try {
                for (int index : pick) {
                    Optional<GpuLocks.Held> held = locks.tryLock(slots.get(index).uuid, lockNote(owner));
                    if (held.isEmpty()) {
                        refused = index;
                        break;
                    }
                    taken.put(index, held.get());
                }
            } catch (RuntimeException e) {
                // A lock file that cannot be opened or locked (another user's, say): the locks taken
                // for this pick go back, or their GPUs would stay held by this JVM for good.
                taken.values().forEach(GpuLocks.Held::release);
                throw e;
            }
            if (refused == null) {
                return grant(pick, owner, seen, taken);
            }
            taken.values().forEach(GpuLocks.Held::release);
            slots.get(refused).lockedElsewhere = true;
            candidates.remove(refused);
        }
        return null;
    }

    private GpuReservation grant(List<Integer> pick, String owner, Observation seen, Map<Integer, GpuLocks.Held> taken) {
        Map<Integer, Long> baselines = new HashMap<>();
        List<String> uuids = new ArrayList<>();
        for (int index : pick) {
            Slot slot = slots.get(index);
            GpuInfo gpu = seen.gpusByUuid.get(slot.uuid);
            baselines.put(index, gpu == null ? GpuInfo.UNKNOWN_MIB : gpu.memoryUsedMib());
            uuids.add(slot.uuid);
        }
        GpuReservation r = new GpuReservation(this, pick, uuids, owner, clock.instant(), baselines);
        for (int index : pick) {
            Slot slot = slots.get(index);
            slot.reservation = r;
            slot.lock = taken.get(index);
            slot.lockedElsewhere = false;
        }
        return r;
    }

    /** Called by {@link GpuReservation#release()}. */
    void release(GpuReservation r) {
        if (r.pool() != this) {
            throw new IllegalArgumentException(r + " belongs to another pool");
        }
        if (!r.markReleased()) {
            return;
        }
        // Before the GPUs are free, so that listeners never see a GPU with two holders.
        listeners.forEach(l -> notify(l, r, false));
        synchronized (monitor) {
            for (int index : r.indices()) {
                Slot slot = slots.get(index);
                if (slot.reservation != r) {
                    throw new IllegalStateException("bug: GPU " + index + " is held by " + slot.reservation
                            + " while " + r + " is released");
                }
                slot.reservation = null;
                slot.releasedAtNanos = System.nanoTime();
                slot.foreignDetail = null; // released clean: what nvidia-smi saw on it was ours
                // A quarantined GPU keeps its lock, so other workers on this host stay off it too.
                if (slot.quarantineReason == null) {
                    slot.releaseLock();
                }
            }
        }
        log.debug("released GPUs {} of {}", r.indices(), r.owner());
    }

    /**
     * Frees the GPUs once none of {@code ourPids} runs on them and their memory is back near the
     * baseline taken at reservation; polls nvidia-smi until {@code grace} has passed, then
     * quarantines what is still dirty (with the reason) and frees the rest. Blocks the caller.
     */
    public ReleaseOutcome releaseWhenClean(GpuReservation r, Set<Integer> ourPids, Duration grace) {
        if (r.pool() != this) {
            throw new IllegalArgumentException(r + " belongs to another pool");
        }
        if (r.isReleased()) {
            throw new IllegalStateException(r + " is already released");
        }
        ReleaseOutcome outcome = cleanRelease.release(this, r, Set.copyOf(ourPids), grace);
        if (!outcome.clean()) {
            log.warn("GPUs {} of {} did not come back clean within {} and are quarantined: {}",
                    outcome.quarantined().keySet(), r.owner(), grace, outcome.quarantined());
        }
        return outcome;
    }

    /** Takes a GPU out of service until {@link #unquarantine}; a reserved one leaves service when released. */
    public void quarantine(int index, String reason) {
        Objects.requireNonNull(reason, "reason");
        synchronized (monitor) {
            Slot slot = slot(index);
            slot.quarantineReason = reason;
            slot.recoverAtMib = -1; // until unquarantined, even if it was out only until clean before
            if (slot.reservation == null && slot.lock == null) {
                // Best effort: hold its lock so other workers on this host stay off it too.
                slot.lock = locks.tryLock(slot.uuid, "quarantined by pid " + ProcessHandle.current().pid()
                        + ": " + reason).orElse(null);
            }
        }
        log.warn("GPU {} quarantined: {}; it stays out of service until unquarantined", index, reason);
    }

    /**
     * Quarantines a GPU that did not come back clean; {@link #recoverQuarantined()} returns it to
     * service once its memory is back at or below {@code recoverAtMib} with no process on it.
     */
    void quarantineUntilClean(int index, String reason, long recoverAtMib) {
        quarantine(index, reason);
        synchronized (monitor) {
            slot(index).recoverAtMib = recoverAtMib;
        }
    }

    /**
     * Reads nvidia-smi and returns to service every GPU quarantined for leftover memory that is now
     * back near its baseline with no process on it; returns their indices.
     */
    public List<Integer> recoverQuarantined() {
        synchronized (monitor) {
            if (slots.values().stream().noneMatch(s -> s.quarantineReason != null && s.recoverAtMib >= 0)) {
                return List.of(); // nothing could come back: spare the heartbeat a nvidia-smi run
            }
        }
        List<GpuInfo> gpus = inventory.gpus();
        List<GpuProcess> processes = inventory.processes();
        List<Integer> recovered = new ArrayList<>();
        synchronized (monitor) {
            for (Slot slot : slots.values()) {
                if (slot.quarantineReason == null || slot.recoverAtMib < 0 || slot.reservation != null) {
                    continue;
                }
                GpuInfo gpu = gpus.stream().filter(g -> g.uuid().equals(slot.uuid)).findFirst().orElse(null);
                boolean idle = processes.stream().noneMatch(p -> p.gpuUuid().equals(slot.uuid));
                if (gpu != null && gpu.memoryUsedKnown() && idle && gpu.memoryUsedMib() <= slot.recoverAtMib) {
                    recovered.add(slot.index);
                }
            }
        }
        for (int index : recovered) {
            unquarantine(index);
        }
        return recovered;
    }

    public void unquarantine(int index) {
        synchronized (monitor) {
            Slot slot = slot(index);
            slot.quarantineReason = null;
            slot.recoverAtMib = -1;
            if (slot.reservation == null) {
                slot.releaseLock();
            }
        }
        log.info("GPU {} back in service", index);
    }

    /**
     * Looks again at the GPUs a foreign process or another worker's lock kept busy, and returns those
     * free now. Reservations look only when enough GPUs are free, so without this a GPU once seen busy
     * would stay out of service after its user went, and a host whose GPUs were all busy would never
     * claim again. Reads nvidia-smi only when some GPU is busy that way.
     */
    public List<Integer> recheckBusy() {
        List<Integer> before = indicesIn(GpuStatus.State.FOREIGN_BUSY);
        if (before.isEmpty()) {
            return List.of();
        }
        refresh();
        List<Integer> freed = new ArrayList<>(before);
        freed.retainAll(indicesIn(GpuStatus.State.FREE));
        return freed;
    }

    private List<Integer> indicesIn(GpuStatus.State state) {
        return snapshot().stream().filter(s -> s.state() == state).map(GpuStatus::index).toList();
    }

    /**
     * Reads nvidia-smi and probes the locks of unreserved GPUs, updating what {@link #snapshot()} and
     * the counts report.
     */
    public void refresh() {
        Observation seen = observe();
        synchronized (monitor) {
            apply(seen);
            for (Slot slot : slots.values()) {
                if (slot.reservation == null && slot.lock == null) {
                    Optional<GpuLocks.Held> probe = locks.tryLock(slot.uuid, "probe by pid " + ProcessHandle.current().pid());
                    probe.ifPresent(GpuLocks.Held::release);
                    slot.lockedElsewhere = probe.isEmpty();
                }
            }
        }
    }

    /** Telemetry of the given GPUs now, read from the inventory (nvidia-smi). */
    public List<GpuSample> sample(List<Integer> indices) {
        return inventory.samples().stream().filter(s -> indices.contains(s.index())).toList();
    }

    public List<GpuStatus> snapshot() {
        synchronized (monitor) {
            return slots.values().stream().map(Slot::status).toList();
        }
    }

    public int total() {
        return slots.size();
    }

    public int free() {
        return count(GpuStatus.State.FREE);
    }

    public int reserved() {
        return count(GpuStatus.State.RESERVED);
    }

    public int quarantined() {
        return count(GpuStatus.State.QUARANTINED);
    }

    public int foreignBusy() {
        return count(GpuStatus.State.FOREIGN_BUSY);
    }

    /**
     * The largest count {@link #tryReserve} could grant now. Equal to {@link #free()}, as a
     * reservation need not be consecutive; a separate name for what the claim loop asks.
     */
    public int largestReservable() {
        return free();
    }

    private int count(GpuStatus.State state) {
        return indicesIn(state).size();
    }

    private Slot slot(int index) {
        Slot slot = slots.get(index);
        if (slot == null) {
            throw new IllegalArgumentException("no GPU with index " + index + "; this host has " + slots.keySet());
        }
        return slot;
    }

    private String lockNote(String owner) {
        return "pid " + ProcessHandle.current().pid() + " owner " + owner + " since " + clock.instant();
    }

    /** What nvidia-smi says now; read outside the monitor, since it takes a while. */
    private Observation observe() {
        long takenAt = System.nanoTime();
        List<GpuInfo> gpus = inventory.gpus();
        List<GpuProcess> processes = inventory.processes();
        Map<String, GpuInfo> byUuid = new HashMap<>();
        gpus.forEach(g -> byUuid.put(g.uuid(), g));
        return new Observation(byUuid, ForeignUse.busyGpus(gpus, processes, settings.foreignBusyThresholdMib()),
                takenAt);
    }

    private void apply(Observation seen) {
        for (Slot slot : slots.values()) {
            // A reserved GPU runs our engine; what else runs there is the clean release's to judge. One
            // released since this reading began may show our engine in it still: the next reading tells.
            if (slot.reservation != null) {
                slot.foreignDetail = null;
            } else if (slot.releasedAtNanos - seen.takenAtNanos < 0) {
                slot.foreignDetail = seen.busyByUuid.get(slot.uuid);
            }
            if (!seen.gpusByUuid.containsKey(slot.uuid) && slot.quarantineReason == null) {
                // Fell off the bus (Xid 79 and the like): needs an operator, not a retry.
                slot.quarantineReason = "no longer listed by nvidia-smi";
                log.warn("GPU {} ({}) is no longer listed by nvidia-smi and is quarantined", slot.index, slot.uuid);
            }
        }
    }

    private void notify(Listener listener, GpuReservation r, boolean reserved) {
        try {
            if (reserved) {
                listener.onReserved(r);
            } else {
                listener.onReleased(r);
            }
        } catch (RuntimeException e) {
            log.warn("GPU pool listener {} failed on {}; the pool carries on", listener, r, e);
        }
    }

    /** @param takenAtNanos when the reading began ({@link System#nanoTime}) */
    private record Observation(Map<String, GpuInfo> gpusByUuid, Map<String, String> busyByUuid, long takenAtNanos) {
    }

    /** One GPU's bookkeeping; all fields but index and uuid guarded by the pool's monitor. */
    private static final class Slot {
        final int index;
        final String uuid;
        GpuReservation reservation;
        GpuLocks.Held lock;
        String quarantineReason;
        /** Memory at or below which a GPU quarantined for leftover memory is clean again; -1 if none. */
        long recoverAtMib = -1;
        /** From the last nvidia-smi reading, for a GPU we do not hold. */
        String foreignDetail;
        /** From the last attempt to lock it. */
        boolean lockedElsewhere;
        /** When a reservation of ours last gave it back ({@link System#nanoTime}); 0 if never. */
        long releasedAtNanos;

        Slot(int index, String uuid) {
            this.index = index;
            this.uuid = uuid;
        }

        boolean reservable() {
            // lockedElsewhere is not excluded: the lock is tried again, it may have been let go.
            return reservation == null && quarantineReason == null && foreignDetail == null;
        }

        void releaseLock() {
            if (lock != null) {
                lock.release();
                lock = null;
            }
        }

        GpuStatus status() {
            String owner = reservation == null ? null : reservation.owner();
            if (quarantineReason != null) {
                return new GpuStatus(index, uuid, GpuStatus.State.QUARANTINED, owner, quarantineReason);
            }
            if (reservation != null) {
                return new GpuStatus(index, uuid, GpuStatus.State.RESERVED, owner, null);
            }
            if (foreignDetail != null) {
                return new GpuStatus(index, uuid, GpuStatus.State.FOREIGN_BUSY, null, foreignDetail);
            }
            if (lockedElsewhere) {
                return new GpuStatus(index, uuid, GpuStatus.State.FOREIGN_BUSY, null,
                        "its lock file is held by another process (another worker on this host?)");
            }
            return new GpuStatus(index, uuid, GpuStatus.State.FREE, null, null);
        }
    }
}
