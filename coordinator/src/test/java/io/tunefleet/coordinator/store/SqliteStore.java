package io.tunefleet.coordinator.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tunefleet.common.task.TaskSpecParser;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A real SQLite file wired like the coordinator wires it, without Spring Boot: the pool takes its
 * size and driver properties from {@code coordinator.yml}, Flyway migrates the schema, and the
 * stores run on it. Built fresh per test, so tests stay fast and independent.
 */
final class SqliteStore implements AutoCloseable {

    static final String DATA_SOURCE_PROPERTIES = "spring.datasource.hikari.data-source-properties.";
    static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);

    final HikariDataSource dataSource;
    final JdbcClient jdbc;
    final StoreWriter writer;
    final TaskStore tasks;
    final ExperimentStore experiments;

    SqliteStore(Path file) {
        Properties yml = coordinatorYml();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:sqlite:" + file);
        config.setDriverClassName(yml.getProperty("spring.datasource.driver-class-name"));
        config.setMaximumPoolSize(Integer.parseInt(yml.getProperty("spring.datasource.hikari.maximum-pool-size")));
        yml.stringPropertyNames().stream()
                .filter(k -> k.startsWith(DATA_SOURCE_PROPERTIES))
                .forEach(k -> config.addDataSourceProperty(k.substring(DATA_SOURCE_PROPERTIES.length()),
                        yml.getProperty(k)));
        dataSource = new HikariDataSource(config);
        Flyway.configure().dataSource(dataSource).locations(yml.getProperty("spring.flyway.locations"))
                .load().migrate();
        jdbc = JdbcClient.create(dataSource);
        writer = new StoreWriter(new TransactionTemplate(new DataSourceTransactionManager(dataSource)));
        tasks = new TaskStore(jdbc, writer, CLOCK);
        experiments = new ExperimentStore(jdbc, CLOCK);
    }

    static Properties coordinatorYml() {
        YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
        yaml.setResources(new ClassPathResource("coordinator.yml"));
        return yaml.getObject();
    }

    /** Stores a grid-search task and returns its id; experiments need one for their foreign key. */
    long task(String objective) {
        return tasks.insert(TaskSpecParser.parse("""
                {"task_name": "store-test", "model": {"id_or_path": "/models/m"}, "base_runtime": "sim",
                 "parameters": {"tp-size": [1, 2]},
                 "optimization": {"objective": "%s"}}""".formatted(objective))).id();
    }

    @Override
    public void close() {
        writer.close();
        dataSource.close();
    }
}
