package io.tunefleet.worker.gpu;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How each pair of this host's GPUs is connected, read from {@code nvidia-smi topo -m}: NVLink
 * ({@code NV#}, # bonded links), one PCIe switch ({@code PIX}), several ({@code PXB}), the host
 * bridge ({@code PHB}), across host bridges in a NUMA node ({@code NODE}) or across sockets
 * ({@code SYS}). Tensor-parallel engines exchange activations between their GPUs every layer, so a
 * multi-GPU reservation should take GPUs joined by the fastest links ({@link #cost}).
 */
public final class GpuTopology {

    /** No matrix read: every pair the same. */
    public static final GpuTopology UNKNOWN = new GpuTopology(Map.of());

    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*m");
    private static final Pattern GPU = Pattern.compile("GPU(\\d+)");
    private static final Pattern NVLINK = Pattern.compile("NV(\\d+)");

    /** Link by GPU index, then by the other GPU's index. */
    private final Map<Integer, Map<Integer, String>> links;
    /** {@link #cost} of every pair in {@link #links}, worked out once: reservations score many sets. */
    private final Map<Integer, Map<Integer, Integer>> costs;

    private GpuTopology(Map<Integer, Map<Integer, String>> links) {
        this.links = links;
        Map<Integer, Map<Integer, Integer>> costs = new LinkedHashMap<>();
        links.forEach((a, row) -> {
            Map<Integer, Integer> mine = new LinkedHashMap<>();
            row.forEach((b, link) -> mine.put(b, linkCost(link)));
            costs.put(a, Map.copyOf(mine));
        });
        this.costs = Map.copyOf(costs);
    }

    /**
     * Reads the GPU-by-GPU part of {@code nvidia-smi topo -m}: the header's leading {@code GPU<n>}
     * columns and each {@code GPU<n>} row's cells under them; NIC columns and affinities are ignored.
     *
     * @throws GpuInventoryException when the text has no GPU matrix or a row does not fit the header
     */
    public static GpuTopology parse(String text) {
        List<Integer> columns = null;
        Map<Integer, Map<Integer, String>> links = new LinkedHashMap<>();
        for (String raw : text.split("\\R")) {
            String[] tokens = ANSI.matcher(raw).replaceAll("").trim().split("\\s+");
            if (tokens.length == 0 || tokens[0].isEmpty()) {
                continue;
            }
            if (columns == null) {
                if (GPU.matcher(tokens[0]).matches()) {
                    columns = new ArrayList<>();
                    for (String t : tokens) {
                        Matcher m = GPU.matcher(t);
                        if (!m.matches()) {
                            break;
                        }
                        columns.add(Integer.parseInt(m.group(1)));
                    }
                }
                continue;
            }
            Matcher row = GPU.matcher(tokens[0]);
            if (!row.matches()) {
                continue; // a NIC row, the legend, or a blank
            }
            int gpu = Integer.parseInt(row.group(1));
            if (tokens.length < columns.size() + 1) {
                throw new GpuInventoryException("nvidia-smi topo -m: row GPU" + gpu + " has " + (tokens.length - 1)
                        + " cells for " + columns.size() + " GPU columns: " + raw.strip());
            }
            Map<Integer, String> mine = new LinkedHashMap<>();
            for (int c = 0; c < columns.size(); c++) {
                mine.put(columns.get(c), tokens[c + 1]);
            }
            if (!"X".equals(mine.get(gpu))) {
                throw new GpuInventoryException("nvidia-smi topo -m: row GPU" + gpu + " does not have X under its"
                        + " own column: " + raw.strip());
            }
            links.put(gpu, Map.copyOf(mine));
        }
        if (columns == null || links.size() != columns.size()) {
            throw new GpuInventoryException("nvidia-smi topo -m printed no GPU matrix"
                    + (columns == null ? "" : " (" + links.size() + " rows for " + columns.size() + " columns)"));
        }
        return new GpuTopology(Map.copyOf(links));
    }

    public boolean known() {
        return !links.isEmpty();
    }

    /** The link between two GPUs as nvidia-smi names it, e.g. {@code NV12}; null when not known. */
    public String link(int a, int b) {
        Map<Integer, String> row = links.get(a);
        return row == null ? null : row.get(b);
    }

    /**
     * How slow the link between two GPUs is, lower is faster: NVLink 1–9 (more bonded links,
     * cheaper), PIX 20, PXB 30, PHB 40, NODE 50, SYS 60, and 60 for anything not known. The same
     * for every pair when the topology is unknown.
     */
    public int cost(int a, int b) {
        Map<Integer, Integer> row = costs.get(a);
        Integer cost = row == null ? null : row.get(b);
        if (cost == null) {
            return known() ? 60 : 0;
        }
        return cost;
    }

    private static int linkCost(String link) {
        Matcher nv = NVLINK.matcher(link);
        if (nv.matches()) {
            return 10 - Math.min(9, Integer.parseInt(nv.group(1)));
        }
        return switch (link) {
            case "X" -> 0;
            case "PIX" -> 20;
            case "PXB" -> 30;
            case "PHB" -> 40;
            case "NODE" -> 50;
            default -> 60; // SYS, the older SOC, or a name this version does not know
        };
    }

    /** E.g. {@code GPU0-GPU1 NV12, GPU0-GPU2 SYS, ...}, each pair once; "unknown" when not read. */
    public String describe() {
        if (!known()) {
            return "unknown";
        }
        return links.keySet().stream().sorted().flatMap(a -> links.get(a).keySet().stream().sorted()
                        .filter(b -> b > a).map(b -> "GPU" + a + "-GPU" + b + " " + link(a, b)))
                .collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return "GpuTopology[" + describe() + "]";
    }
}
