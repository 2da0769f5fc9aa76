package io.tunefleet.worker.config;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.io.ClassPathResource;

/** The worker's own console pattern (worker.yml): what each line says, in logback's syntax. */
class WorkerLogPatternTest {

    @Test
    void aLineSaysWhenWhatLevelWhichThreadAndWhichClassAndNothingElse() {
        YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
        yaml.setResources(new ClassPathResource("worker.yml"));
        Properties worker = yaml.getObject();
        LoggerContext context = new LoggerContext();
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.setPattern(worker.getProperty("logging.pattern.console"));
        layout.start();
        LoggingEvent event = new LoggingEvent("io.tunefleet.worker.claim.ClaimLoop",
                context.getLogger("io.tunefleet.worker.claim.ClaimLoop"), Level.INFO,
                "task {} experiment {}: attempt 1 starting on GPUs [0]", null, new Object[] {3, 41});
        event.setThreadName("experiment");
        event.setTimeStamp(1_796_000_000_123L);

        assertThat(layout.doLayout(event)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.123\\S+  INFO "
                + "\\[experiment\\] ClaimLoop: task 3 experiment 41: attempt 1 starting on GPUs \\[0\\]\\R");
    }
}
