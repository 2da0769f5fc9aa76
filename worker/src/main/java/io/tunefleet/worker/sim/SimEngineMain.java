package io.tunefleet.worker.sim;

import io.tunefleet.common.param.ParameterSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The simulated engine as a process, for the process runtime, containers and laptops:
 * {@code java -cp worker.jar io.tunefleet.worker.sim.SimEngineMain --port 30000 --model-path M
 * [--ttft-ms 50 --tpot-ms 10] [--any-engine-flag value | --bare-flag]...}. Engine flags feed the
 * performance model; a configuration that would not fit exits with status 1 and the engine's
 * message on stderr, as a real engine does.
 */
public final class SimEngineMain {

    private SimEngineMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = 30000;
        String model = "sim-8b";
        Double ttft = null;
        Double tpot = null;
        Map<String, Object> params = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i].replaceFirst("^--", "");
            boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
            String value = hasValue ? args[++i] : null;
            switch (flag) {
                case "port" -> port = Integer.parseInt(value);
                case "model", "model-path" -> model = value;
                case "host" -> { }
                case "ttft-ms" -> ttft = Double.parseDouble(value);
                case "tpot-ms" -> tpot = Double.parseDouble(value);
                default -> params.put(flag, value == null ? Boolean.TRUE : parse(value));
            }
        }
        SimEngine engine;
        try {
            if (ttft != null && tpot != null) {
                engine = SimEngine.start(SimEngineOptions.of(port, model, LatencyModel.pinned(ttft, tpot)));
            } else {
                engine = SimEngine.forConfig(ParameterSet.of(params), model, port);
            }
        } catch (EngineStartException e) {
            System.err.println(e.failureClass() + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        System.out.println("sim engine serving " + model + " on 127.0.0.1:" + engine.port());
        Runtime.getRuntime().addShutdownHook(new Thread(engine::close));
        new CountDownLatch(1).await();
    }

    private static Object parse(String value) {
        try {
            return value.contains(".") ? (Object) Double.parseDouble(value) : (Object) Long.parseLong(value);
        } catch (NumberFormatException e) {
            return value;
        }
    }
}
