package org.crmsync.quartz;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * A Quartz scheduler for one node of a cluster: Quartz's JDBC job store ({@code JobStoreTX}, the
 * PostgreSQL delegate, clustered) on the application's {@link DataSource}, usually the database of
 * the {@link org.crmsync.store.JdbcSyncStateStore}. Quartz's tables ({@code qrtz_*}) are created from
 * the script Quartz ships when they are missing. Nodes share a scheduler name and differ in instance
 * id; each checks in every {@code checkinInterval}, and a node silent for that long plus Quartz's
 * 7.5 seconds of grace is taken as dead: its tasks in flight fire again on the others.
 */
public final class QuartzCluster {
    private static final AtomicInteger DATA_SOURCES = new AtomicInteger();
    private static final long TABLES_LOCK = 0x71727a7463726dL;

    private QuartzCluster() {
    }

    /**
     * A clustered Quartz scheduler (not started).
     *
     * @param name the cluster's scheduler name, the same on every node
     * @param instanceId this node's id, unique in the cluster
     * @param threads how many tasks this node runs at once
     * @param checkinInterval how often the node tells the others it is alive
     */
    public static Scheduler scheduler(DataSource dataSource, String name, String instanceId, int threads,
            Duration checkinInterval) {
        requireNonNull(dataSource, "dataSource");
        requireNonNull(name, "name");
        requireNonNull(instanceId, "instanceId");
        requireNonNull(checkinInterval, "checkinInterval");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1; got " + threads);
        }
        createTables(dataSource);
        // Quartz finds connection providers by name; this one hands out the application's pooled connections.
        String dataSourceName = "crmsync-" + DATA_SOURCES.incrementAndGet();
        DBConnectionManager.getInstance().addConnectionProvider(dataSourceName, new ConnectionProvider() {
            @Override
            public Connection getConnection() throws SQLException {
                return dataSource.getConnection();
            }

            @Override
            public void shutdown() {
                // the application owns the data source
            }

            @Override
            public void initialize() {
            }
        });
        Properties p = new Properties();
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, name);
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, instanceId);
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.scheduler.batchTriggerAcquisitionMaxCount", Integer.toString(threads));
        p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(threads));
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", dataSourceName);
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(checkinInterval.toMillis()));
        p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        // Job data are strings only (task names, schedules, job ids), never serialized objects.
        p.setProperty("org.quartz.jobStore.useProperties", "true");
        p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
        try {
            Scheduler scheduler = new StdSchedulerFactory(p).getScheduler();
            // Quartz keeps schedulers by name per JVM; nodes sharing one JVM (tests) each need their own.
            SchedulerRepository.getInstance().remove(name);
            return scheduler;
        } catch (SchedulerException e) {
            throw new CrmSyncException(ErrorCode.INTERNAL, "could not create the Quartz scheduler " + name + "/"
                    + instanceId + ": " + e.getMessage(), e);
        }
    }

    /** Creates Quartz's tables from its PostgreSQL script unless they exist (under an advisory lock). */
    static void createTables(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + TABLES_LOCK + ")");
                boolean exists;
                try (ResultSet r = s.executeQuery("SELECT to_regclass('qrtz_locks') IS NOT NULL")) {
                    r.next();
                    exists = r.getBoolean(1);
                }
                if (!exists) {
                    for (String statement : quartzScript()) {
                        s.execute(statement);
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "could not create Quartz's tables: " + e.getMessage(), e);
        }
    }

    /** Quartz's own script, without its DROP statements and its COMMIT. */
    static List<String> quartzScript() {
        String text;
        try (InputStream in = Scheduler.class.getResourceAsStream("/org/quartz/impl/jdbcjobstore/tables_postgres.sql")) {
            if (in == null) {
                throw new IllegalStateException("Quartz's tables_postgres.sql is missing from the quartz jar");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("could not read Quartz's tables_postgres.sql", e);
        }
        StringBuilder body = new StringBuilder();
        for (String line : text.split("\n")) {
            if (!line.strip().startsWith("--")) {
                body.append(line).append('\n');
            }
        }
        List<String> statements = new ArrayList<>();
        for (String statement : body.toString().split(";")) {
            String s = statement.strip();
            String upper = s.toUpperCase(java.util.Locale.ROOT);
            if (!s.isEmpty() && !upper.startsWith("DROP ") && !upper.equals("COMMIT")) {
                statements.add(s);
            }
        }
        return statements;
    }
}
