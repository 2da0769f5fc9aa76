package io.tunefleet.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class CoordinatorPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(CoordinatorProperties.class)
    static class PropertiesOnly {
    }

    final ApplicationContextRunner context = new ApplicationContextRunner().withUserConfiguration(PropertiesOnly.class);

    @Test
    void defaultsBindWhenNothingIsSet() {
        context.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            CoordinatorProperties p = ctx.getBean(CoordinatorProperties.class);
            assertThat(p.database()).isEqualTo(CoordinatorProperties.DEFAULT_DATABASE);
            assertThat(p.dispatchTick()).isEqualTo(Duration.ofSeconds(1));
            assertThat(p.workerTimeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(p.unschedulableAfter()).isEqualTo(Duration.ofSeconds(30));
            assertThat(p.publishTimeout()).isEqualTo(Duration.ofSeconds(10));
        });
    }

    @Test
    void positiveDurationsBind() {
        context.withPropertyValues("tunefleet.coordinator.dispatch-tick=250ms",
                "tunefleet.coordinator.publish-timeout=2s").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(CoordinatorProperties.class).dispatchTick()).isEqualTo(Duration.ofMillis(250));
            assertThat(ctx.getBean(CoordinatorProperties.class).publishTimeout()).isEqualTo(Duration.ofSeconds(2));
        });
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "dispatch-tick, 0s",
            "dispatch-tick, -1s",
            "worker-timeout, 0ms",
            "unschedulable-after, -5m",
            "publish-timeout, 0s"})
    void nonPositiveDurationFailsStartupNamingTheProperty(String property, String value) {
        context.withPropertyValues("tunefleet.coordinator." + property + "=" + value).run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).rootCause()
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tunefleet.coordinator." + property)
                    .hasMessageContaining("must be positive");
        });
    }
}
