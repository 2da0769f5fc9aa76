package io.tunefleet.coordinator.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.tunefleet.coordinator.CoordinatorApplication;
import io.tunefleet.coordinator.CoordinatorTestProperties;
import io.tunefleet.coordinator.dispatch.NoBrokerConfiguration;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The SQLite file as the running coordinator opens it: WAL, pragmas on every connection, Flyway schema. */
@SpringBootTest(classes = CoordinatorApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = "spring.config.name=" + CoordinatorApplication.CONFIG_NAME)
@Import(NoBrokerConfiguration.class)
class SqliteConfigurationTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CoordinatorTestProperties.register(registry, "sqlite-config");
    }

    @Autowired
    DataSource dataSource;
    @Autowired
    JdbcClient jdbc;

    @Test
    void databaseIsInWalMode() {
        assertThat(jdbc.sql("PRAGMA journal_mode").query(String.class).single()).isEqualToIgnoringCase("wal");
    }

    @Test
    void schemaCameFromFlywayWithEveryMigrationApplied() {
        List<String> applied = jdbc.sql("SELECT version FROM flyway_schema_history WHERE success = 1 ORDER BY installed_rank")
                .query(String.class).list();
        assertThat(applied).containsExactly("1", "2", "3", "4");
        assertThat(jdbc.sql("SELECT name FROM sqlite_master WHERE type = 'table'").query(String.class).list())
                .contains("tasks", "experiments", "attempts", "flyway_schema_history");
    }

    @Test
    void theQueuedJobsQueryReadsThePartialIndexNotTheTable() {
        String plan = String.join("\n", jdbc.sql("EXPLAIN QUERY PLAN SELECT gpus, MIN(queued_at) AS oldest, MIN(id) "
                + "FROM experiments WHERE state = 'QUEUED' AND queued_at IS NOT NULL GROUP BY gpus")
                .query((rs, row) -> rs.getString("detail")).list());
        assertThat(plan).contains("experiments_queued").doesNotContain("SCAN experiments\n");
    }

    @Test
    void theStoppingRulesReadATaskInCommitOrderFromAnIndexWithoutSortingIt() {
        String plan = String.join("\n", jdbc.sql("EXPLAIN QUERY PLAN " + ExperimentStore.STANDINGS).param("task", 1L)
                .query((rs, row) -> rs.getString("detail")).list());
        assertThat(plan).contains("experiments_by_commit").doesNotContain("TEMP B-TREE");
    }

    @Test
    void everyPooledConnectionHasSynchronousNormalBusyTimeoutAndForeignKeys() throws SQLException {
        int poolSize = ((HikariDataSource) dataSource).getMaximumPoolSize();
        assertThat(poolSize).as("pool size from coordinator.yml").isGreaterThan(1);
        List<Connection> borrowed = new ArrayList<>();
        try {
            // hold them all at once, so each check runs on a different physical connection
            for (int i = 0; i < poolSize; i++) {
                borrowed.add(dataSource.getConnection());
            }
            Set<Object> physical = new HashSet<>();
            for (Connection c : borrowed) {
                physical.add(c.unwrap(org.sqlite.SQLiteConnection.class));
                assertThat(pragma(c, "synchronous")).as("synchronous (1 = NORMAL)").isEqualTo("1");
                assertThat(pragma(c, "busy_timeout")).as("busy_timeout").isEqualTo("10000");
                assertThat(pragma(c, "foreign_keys")).as("foreign_keys").isEqualTo("1");
                assertThat(pragma(c, "journal_mode")).as("journal_mode").isEqualToIgnoringCase("wal");
            }
            assertThat(physical).hasSize(poolSize);
        } finally {
            for (Connection c : borrowed) {
                c.close();
            }
        }
    }

    private static String pragma(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); var rs = s.executeQuery("PRAGMA " + name)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}
