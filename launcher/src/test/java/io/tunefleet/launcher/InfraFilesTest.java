package io.tunefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.tunefleet.common.message.Topology;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The operations files in {@code infra/} and {@code docker-compose.yml} are valid: Prometheus
 * configuration and rules by promtool (Debian's prometheus package; skipped where it is missing
 * unless CI=true), the compose file's references, the RabbitMQ definitions against the topology the
 * services declare, and the Kubernetes manifests.
 */
class InfraFilesTest {

    static final Path ROOT = Path.of("..");
    static final Path PROMETHEUS = ROOT.resolve("infra/prometheus");
    static final YAMLMapper YAML = YAMLMapper.builder().build();

    @Test
    void promtoolAcceptsThePrometheusConfigurationAndRules() throws Exception {
        promtool("check", "config", PROMETHEUS.resolve("prometheus.yml").toString());
        promtool("check", "rules", PROMETHEUS.resolve("alerts.yml").toString());
    }

    @Test
    void theAlertRulesPassTheirPromtoolUnitTests() throws Exception {
        promtool("test", "rules", PROMETHEUS.resolve("alerts_test.yml").toString());
    }

    @Test
    void composeReferencesOnlyDefinedVolumesAndServicesAndExistingFiles() throws IOException {
        JsonNode compose = YAML.readTree(Files.readString(ROOT.resolve("docker-compose.yml")));
        JsonNode services = compose.path("services");
        Set<String> serviceNames = new HashSet<>(services.propertyNames());
        Set<String> volumes = new HashSet<>(compose.path("volumes").propertyNames());
        assertThat(serviceNames).contains("rabbitmq", "coordinator", "worker", "worker-gpu", "prometheus", "grafana");
        List<String> problems = new ArrayList<>();
        for (String name : serviceNames) {
            JsonNode service = services.path(name);
            // Jackson's YAML parser resolves neither merge keys nor aliases: `<<: *tunefleet-image` reads
            // as the anchor's name. By this file's convention the anchor sits on the key x-<anchor>.
            JsonNode merged = service.has("<<") ? compose.path("x-" + service.path("<<").asString()) : service;
            if (service.has("<<") && merged.isMissingNode()) {
                problems.add(name + ": merges unknown anchor " + service.path("<<").asString());
            }
            if (!service.has("image") && !service.has("build") && !merged.has("image") && !merged.has("build")) {
                problems.add(name + ": neither image nor build");
            }
            // A mount's source is a file of this repository (./...), a host path (/..., or ${HOME}/... from
            // the environment) or a named volume, which must be declared.
            for (JsonNode v : service.path("volumes")) {
                String source = mountSource(v.asString());
                if (source.startsWith("./")) {
                    if (!Files.exists(ROOT.resolve(source))) {
                        problems.add(name + ": mounts missing file " + source);
                    }
                } else if (!source.startsWith("/") && !source.startsWith("${HOME}/") && !volumes.contains(source)) {
                    problems.add(name + ": volume '" + source + "' is not declared under volumes");
                }
            }
            JsonNode dependsOn = service.path("depends_on");
            Iterable<String> deps = dependsOn.isArray()
                    ? dependsOn.valueStream().map(JsonNode::asString).toList() : dependsOn.propertyNames();
            for (String dep : deps) {
                if (!serviceNames.contains(dep)) {
                    problems.add(name + ": depends on unknown service " + dep);
                }
            }
        }
        JsonNode build = compose.path("x-tunefleet-image").path("build");
        assertThat(ROOT.resolve(build.path("dockerfile").asString())).exists();
        assertThat(problems).isEmpty();
        assertThat(services.path("rabbitmq").path("volumes").toString())
                .contains("./infra/rabbitmq/definitions.json:/etc/rabbitmq/definitions.json");
        assertThat(Files.readString(ROOT.resolve("infra/rabbitmq/rabbitmq.conf")))
                .contains("load_definitions = /etc/rabbitmq/definitions.json");
    }

    @Test
    void rabbitmqDefinitionsHoldTheTopologyTheServicesDeclare() throws IOException {
        JsonNode definitions = JsonMapper.builder().build()
                .readTree(Files.readString(ROOT.resolve("infra/rabbitmq/definitions.json")));
        Set<String> queues = new HashSet<>();
        for (JsonNode q : definitions.path("queues")) {
            queues.add(q.path("name").asString());
            assertThat(q.path("vhost").asString()).isEqualTo("/");
            assertThat(q.path("durable").asBoolean()).as(q + " durable").isTrue();
            assertThat(q.path("auto_delete").asBoolean()).isFalse();
            assertThat(q.path("arguments").size()).as(q + " has no arguments, as the services declare it").isZero();
        }
        assertThat(queues).containsExactlyInAnyOrder(Topology.jobQueue(1), Topology.jobQueue(2), Topology.jobQueue(4),
                Topology.jobQueue(8), Topology.RESULTS_QUEUE, Topology.HEARTBEATS_QUEUE, Topology.DEAD_LETTER_QUEUE);
        JsonNode exchange = definitions.path("exchanges").get(0);
        assertThat(exchange.path("name").asString()).isEqualTo(Topology.CONTROL_EXCHANGE);
        assertThat(exchange.path("type").asString()).isEqualTo("fanout");
        assertThat(exchange.path("durable").asBoolean()).isTrue();
        assertThat(definitions.path("vhosts").toString()).contains("\"name\":\"/\"");
        // Importing definitions at boot skips the default user, so the file must bring one.
        assertThat(definitions.path("permissions").get(0).path("user").asString())
                .isEqualTo(definitions.path("users").get(0).path("name").asString());
    }

    @Test
    void kubernetesManifestsAreWellFormedAndTheWorkerDaemonSetRequestsGpus() throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (Stream<Path> files = Files.list(ROOT.resolve("infra/k8s"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(Files.readString(file))) {
                    for (JsonNode doc : it.readAll()) {
                        if (doc == null || doc.isNull() || doc.isMissingNode()) {
                            continue;
                        }
                        assertThat(doc.path("apiVersion").asString()).as(file + " apiVersion").isNotBlank();
                        assertThat(doc.path("kind").asString()).as(file + " kind").isNotBlank();
                        assertThat(doc.path("metadata").path("name").asString()).as(file + " metadata.name").isNotBlank();
                        docs.add(doc);
                    }
                }
            }
        }
        assertThat(docs.stream().map(d -> d.path("kind").asString()))
                .contains("Deployment", "Service", "PersistentVolumeClaim", "Secret", "DaemonSet", "StatefulSet");

        JsonNode worker = only(docs, "DaemonSet", "tunefleet-worker");
        JsonNode pod = worker.path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").get(0);
        assertThat(container.path("resources").path("limits").path("nvidia.com/gpu").asInt()).isPositive();
        assertThat(pod.path("nodeSelector").size()).isPositive();
        assertThat(container.path("args").toString()).contains("\"--gpus\",\"nvidia-smi\"");
        JsonNode labels = worker.path("spec").path("template").path("metadata").path("labels");
        worker.path("spec").path("selector").path("matchLabels").properties().forEach(label ->
                assertThat(labels.path(label.getKey())).as("pod label " + label.getKey()).isEqualTo(label.getValue()));

        JsonNode coordinator = only(docs, "Deployment", "tunefleet-coordinator");
        assertThat(coordinator.path("spec").path("replicas").asInt()).as("one writer").isEqualTo(1);
        assertThat(coordinator.path("spec").path("strategy").path("type").asString()).isEqualTo("Recreate");
        String claim = coordinator.path("spec").path("template").path("spec").path("volumes").get(0)
                .path("persistentVolumeClaim").path("claimName").asString();
        only(docs, "PersistentVolumeClaim", claim);
        String secret = only(docs, "Secret", "tunefleet-rabbitmq").path("metadata").path("name").asString();
        for (JsonNode workload : List.of(worker, coordinator)) {
            assertThat(workload.path("spec").path("template").toString()).contains("\"name\":\"" + secret + "\"");
        }
    }

    @Test
    void aMountsSourceIsReadAsComposeReadsIt() {
        assertThat(mountSource("./infra/rabbitmq/rabbitmq.conf:/etc/rabbitmq/conf.d/20.conf:ro"))
                .isEqualTo("./infra/rabbitmq/rabbitmq.conf");
        assertThat(mountSource("gpu-locks:/var/lib/tunefleet/gpu-locks")).isEqualTo("gpu-locks");
        assertThat(mountSource("${TUNEFLEET_MODELS:-/models}:${TUNEFLEET_MODELS:-/models}:ro")).isEqualTo("/models");
        assertThat(mountSource("${HOME}/.cache/huggingface:${HOME}/.cache/huggingface:ro"))
                .isEqualTo("${HOME}/.cache/huggingface");
    }

    /**
     * The source of a short-syntax mount ({@code source:target[:mode]}), a variable with a default
     * ({@code ${VAR:-/models}}) read as its default, a variable without one left as it is.
     */
    static String mountSource(String mount) {
        Matcher withDefault = Pattern.compile("\\$\\{[A-Z_]+:-([^}]*)}([^:]*).*").matcher(mount);
        if (withDefault.matches()) {
            return withDefault.group(1) + withDefault.group(2);
        }
        Matcher plain = Pattern.compile("(\\$\\{[A-Z_]+}[^:]*).*").matcher(mount);
        return plain.matches() ? plain.group(1) : mount.split(":")[0];
    }

    private static JsonNode only(List<JsonNode> docs, String kind, String name) {
        List<JsonNode> found = docs.stream().filter(d -> d.path("kind").asString().equals(kind)
                && d.path("metadata").path("name").asString().equals(name)).toList();
        assertThat(found).as(kind + " " + name).hasSize(1);
        return found.get(0);
    }

    @Test
    void dockerComposeAcceptsTheComposeFileWithAndWithoutTheGpuProfile() throws Exception {
        String file = ROOT.resolve("docker-compose.yml").toString();
        tool("docker-compose", "docker-compose", "-f", file, "config", "-q");
        tool("docker-compose", "docker-compose", "-f", file, "--profile", "gpu", "config", "-q");
    }

    private static void promtool(String... args) throws Exception {
        assertThat(tool("prometheus", "promtool", args)).contains("SUCCESS");
    }

    /** Runs a tool from a Debian package; skipped where it is missing, unless CI=true (.ci/run installs it). */
    private static String tool(String debianPackage, String name, String... args) throws Exception {
        String binary = findOnPath(name);
        if (binary == null) {
            String why = name + " is not installed (apt-get install " + debianPackage + "); .ci/run installs it";
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        List<String> command = new ArrayList<>(List.of(binary));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(name + " finished").isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
        return output;
    }

    private static String findOnPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
