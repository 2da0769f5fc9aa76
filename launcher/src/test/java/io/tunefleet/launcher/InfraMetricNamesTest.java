package io.tunefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Every metric the Grafana dashboards and the Prometheus alert rules query is one the services
 * export: compared with a live {@code /actuator/prometheus} scrape of a standalone stack (coordinator
 * and an in-process worker in one registry) after a task ran. RabbitMQ's own {@code rabbitmq_*}
 * series and Prometheus' {@code up} are exempt. And what is left out on purpose stays out.
 */
class InfraMetricNamesTest {

    static final Path INFRA = Path.of("..", "infra");
    /** PromQL words that are not metric names. */
    static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "and", "or", "unless", "offset", "bool", "inf", "nan", "le");
    static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private static Set<String> exported;
    private static String scrape;

    @BeforeAll
    static void runATaskAndScrape() {
        LiveStack.Result r = LiveStack.cli("submit", LiveStack.TINY_TASK.toString(), "--watch");
        assertThat(r.code()).as(r.toString()).isZero();
        // Gauges refresh every 200 ms here; keep the scrape that shows the per-task ones for the
        // finished task. The stack is shared with other test classes that submit and cancel tasks of the
        // same name, so the scrape that is checked is the very one that was awaited.
        scrape = await().atMost(Duration.ofSeconds(10)).until(LiveStack::scrape,
                s -> s.contains("tunefleet_task_best_objective{objective=\"maximize_throughput\",task=\"tiny-sim\"}"));
        exported = new TreeSet<>();
        scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .forEach(l -> exported.add(l.split("[{ ]", 2)[0]));
    }

    @Test
    void everyMetricTheDashboardsQueryIsExported() throws IOException {
        Map<String, List<String>> queries = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(INFRA.resolve("grafana/dashboards"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(file));
                assertThat(dashboard.path("panels").size()).as(file + " panels").isPositive();
                List<String> exprs = new ArrayList<>();
                dashboard.findValues("expr").forEach(e -> exprs.add(e.asString()));
                queries.put(file.getFileName().toString(), exprs);
            }
        }
        assertThat(queries).isNotEmpty();
        assertThat(missing(queries)).as("metric names queried but not exported; exported tunefleet names: %s",
                tunefleetNames()).isEmpty();
        String all = String.join("\n", queries.values().stream().flatMap(List::stream).toList());
        assertThat(all).as("GPU occupancy per worker and per-task panels")
                .contains("tunefleet_gpus{state=\"reserved\"}", "tunefleet_task_progress_ratio",
                        "tunefleet_task_best_objective");
    }

    @Test
    void noLogEventCounterSitsInFrontOfEveryLogCall() {
        // Micrometer's Logback metrics count through a turbo filter consulted on every log call; left out.
        assertThat(exported).isNotEmpty().doesNotContain("logback_events_total");
        assertThat(((LoggerContext) LoggerFactory.getILoggerFactory()).getTurboFilterList())
                .as("turbo filters of this JVM's Logback, where the stack runs").isEmpty();
    }

    @Test
    void everyMetricTheAlertRulesQueryIsExported() throws IOException {
        JsonNode rules = YAMLMapper.builder().build().readTree(Files.readString(INFRA.resolve("prometheus/alerts.yml")));
        Map<String, List<String>> queries = new LinkedHashMap<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                queries.put(rule.path("alert").asString(), List.of(rule.path("expr").asString()));
            }
        }
        assertThat(queries).containsKeys("TunefleetWorkerLost", "TunefleetGpusQuarantined", "TunefleetJobQueueStuck",
                "TunefleetNoTaskProgress");
        assertThat(missing(queries)).as("metric names queried but not exported; exported tunefleet names: %s",
                tunefleetNames()).isEmpty();
    }

    @Test
    void everyTunefleetMeterHasADescriptionAndNoUnboundedTag() {
        Map<String, String> help = new TreeMap<>();
        scrape.lines().filter(l -> l.startsWith("# HELP tunefleet_")).forEach(l -> {
            String[] parts = l.split(" ", 4);
            help.put(parts[2], parts.length > 3 ? parts[3].trim() : "");
        });
        assertThat(help).isNotEmpty();
        assertThat(help).allSatisfy((name, text) -> assertThat(text).as("description of " + name).isNotBlank());
        assertThat(scrape.lines().filter(l -> l.startsWith("tunefleet_")))
                .noneMatch(l -> l.matches(".*(experiment_id|task_id|attempt)=.*"));
        assertThat(exported).contains("tunefleet_experiments_finished_total", "tunefleet_results_handled_total",
                "tunefleet_experiments_queue_wait_seconds_bucket", "tunefleet_experiments_in_flight",
                "tunefleet_gpus", "tunefleet_jobs_waiting", "tunefleet_broker_connected",
                "tunefleet_worker_phase_seconds_bucket", "tunefleet_worker_broker_connected");
        assertThat(scrape).contains("tunefleet_gpus{state=\"free\",worker=\"sim-worker-1\"}",
                "tunefleet_worker_phase_seconds_count{phase=\"dispatch\",worker=\"sim-worker-1\"}",
                "tunefleet_task_best_objective{objective=\"maximize_throughput\",task=\"tiny-sim\"}",
                "tunefleet_broker_connected 1.0", "tunefleet_jobs_waiting{gpus=\"4\"}");
    }

    /** Query name to the metric names it uses that the scrape lacks. */
    private static Map<String, Set<String>> missing(Map<String, List<String>> queries) {
        Map<String, Set<String>> missing = new TreeMap<>();
        queries.forEach((where, exprs) -> {
            for (String expr : exprs) {
                for (String name : metricNames(expr)) {
                    if (!name.startsWith("rabbitmq_") && !name.equals("up") && !exported.contains(name)) {
                        missing.computeIfAbsent(where, k -> new TreeSet<>()).add(name);
                    }
                }
            }
        });
        return missing;
    }

    /** The metric names in a PromQL expression: identifiers outside label matchers, strings and ranges. */
    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\$\\w+", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = NAME.matcher(s);
        while (m.find()) {
            String word = m.group();
            int after = m.end();
            while (after < s.length() && s.charAt(after) == ' ') {
                after++;
            }
            boolean function = after < s.length() && s.charAt(after) == '(';
            boolean number = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
            if (!function && !number && !KEYWORDS.contains(word.toLowerCase())) {
                names.add(word);
            }
        }
        return names;
    }

    private static List<String> tunefleetNames() {
        return exported.stream().filter(n -> n.startsWith("tunefleet_")).toList();
    }

    @Test
    void theNameExtractorFindsMetricsAndSkipsFunctionsLabelsAndKeywords() {
        assertThat(metricNames("histogram_quantile(0.9, sum by (le, gpus) (rate(a_seconds_bucket{x=\"y\"}[5m])))"
                + " / on(job) group_left(worker) b_total offset 15m unless c > 0"))
                .containsExactly("a_seconds_bucket", "b_total", "c");
    }
}
