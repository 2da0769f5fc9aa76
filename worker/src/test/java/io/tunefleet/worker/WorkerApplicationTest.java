package io.tunefleet.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The worker process leaves out Micrometer's Logback metrics, as the coordinator does (checked live
 * by the launcher's InfraMetricNamesTest): their turbo filter sits in front of every log call.
 */
class WorkerApplicationTest {

    @Test
    void leavesOutTheLogEventCounterByAClassNameBootStillHas() {
        String[] excluded = WorkerApplication.class.getAnnotation(SpringBootApplication.class).excludeName();
        // Excluding a name that no longer exists (a Boot upgrade that moved the class) would exclude nothing.
        assertThat(excluded).extracting(name -> Class.forName(name).getSimpleName())
                .contains("LogbackMetricsAutoConfiguration");
    }
}
