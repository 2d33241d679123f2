package org.crmsync.engine;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.crmsync.SyncDirection;
import org.crmsync.activity.ActivityMapping;
import org.crmsync.activity.ActivitySource;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.model.Profile;
import org.crmsync.model.StandardField;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.spi.Connector;
import org.crmsync.store.ProfileStore;
import org.crmsync.store.SyncStateStore;

/**
 * One sync to run: a connector, the application's profile store, the state store, the field mapping,
 * the policy and the direction, plus options. Immutable; build with {@link #builder(String)}.
 *
 * <p>The job id names the job's cursors, retries and reports in the state store; keep it stable
 * across runs. The connection id names the CRM account: jobs of one account (its inbound and its
 * outbound job) share the daily API quota through it, and changes a sync writes to the profile store
 * are marked with it, so the outbound job does not echo back what the inbound job brought in.
 */
public final class SyncJob {
    private final String id;
    private final String connectionId;
    /** The connection id the builder was given; null when derived from the connector. */
    private final String connectionIdGiven;
    private final Connector connector;
    private final ProfileStore profiles;
    private final SyncStateStore state;
    private final FieldMapping mapping;
    private final SyncPolicy policy;
    private final SyncDirection direction;
    private final boolean dryRun;
    private final boolean fullExport;
    private final Predicate<Profile> exportFilter;
    private final Map<String, String> inboundDefaults;
    private final SyncListener listener;
    private final org.crmsync.report.ReportSink reportSink;
    private final int reportRowsKept;
    private final int maxCallsInFlight;
    private final ActivitySource activities;
    private final ActivityMapping activityMapping;

    private SyncJob(Builder b) {
        this.id = b.id;
        this.connectionIdGiven = b.connectionId;
        this.connectionId = b.connectionId != null ? b.connectionId : derivedConnectionId(b.connector);
        this.connector = b.connector;
        this.profiles = b.profiles;
        this.state = b.state;
        this.mapping = b.mapping;
        this.policy = b.policy;
        this.direction = b.direction;
        this.dryRun = b.dryRun;
        this.fullExport = b.fullExport;
        this.exportFilter = b.exportFilter;
        this.inboundDefaults = Map.copyOf(b.inboundDefaults);
        this.listener = b.listener;
        this.reportSink = b.reportSink;
        this.reportRowsKept = b.reportRowsKept;
        this.maxCallsInFlight = b.maxCallsInFlight;
        this.activities = b.activities;
        this.activityMapping = b.activityMapping;
    }

    /**
     * The connection id of a job that names none: the provider id and a digest of the connector's
     * account ({@link Connector#accountKey()}, such as its host and API user), so two accounts of one
     * CRM never share a quota or an echo filter, and no login appears in ids.
     */
    static String derivedConnectionId(Connector connector) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(connector.accountKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return connector.providerId() + "-" + java.util.HexFormat.of().formatHex(digest, 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /** @param id stable id of the job: letters, digits, '.', '_' and '-' */
    public static Builder builder(String id) {
        return new Builder(id);
    }

    public Builder toBuilder() {
        Builder b = new Builder(id);
        b.connectionId = connectionIdGiven;
        b.connector = connector;
        b.profiles = profiles;
        b.state = state;
        b.mapping = mapping;
        b.policy = policy;
        b.direction = direction;
        b.dryRun = dryRun;
        b.fullExport = fullExport;
        b.exportFilter = exportFilter;
        b.inboundDefaults.putAll(inboundDefaults);
        b.listener = listener;
        b.reportSink = reportSink;
        b.reportRowsKept = reportRowsKept;
        b.maxCallsInFlight = maxCallsInFlight;
        b.activities = activities;
        b.activityMapping = activityMapping;
        return b;
    }

    public String id() {
        return id;
    }

    /** The application's activities an {@link SyncDirection#ACTIVITIES} job posts; null for other jobs. */
    public ActivitySource activities() {
        return activities;
    }

    /** How an activity job maps activities to the CRM's form. */
    public ActivityMapping activityMapping() {
        return activityMapping;
    }

    public String connectionId() {
        return connectionId;
    }

    public Connector connector() {
        return connector;
    }

    public ProfileStore profiles() {
        return profiles;
    }

    public SyncStateStore state() {
        return state;
    }

    public FieldMapping mapping() {
        return mapping;
    }

    public SyncPolicy policy() {
        return policy;
    }

    public SyncDirection direction() {
        return direction;
    }

    /** Reads and plans as usual but writes nothing to either side; the report lists the planned actions. */
    public boolean dryRun() {
        return dryRun;
    }

    /**
     * Outbound only: push every profile the export filter accepts, not just the ones changed since the
     * last run (the ActiveCampaign seed's manual export with filters).
     */
    public boolean fullExport() {
        return fullExport;
    }

    public Predicate<Profile> exportFilter() {
        return exportFilter;
    }

    /**
     * Fields set on profiles that an inbound run creates, unless the CRM gave a value (for example the
     * ActiveCampaign seed's "Opportunity Created By" = {@code ActiveCampaign}).
     */
    public Map<String, String> inboundDefaults() {
        return inboundDefaults;
    }

    public SyncListener listener() {
        return listener;
    }

    /** Where every report row goes as it happens; the report itself keeps {@link #reportRowsKept()} of them. */
    public org.crmsync.report.ReportSink reportSink() {
        return reportSink;
    }

    /** How many rows the run's report keeps (the first ones); counts are over all of them. */
    public int reportRowsKept() {
        return reportRowsKept;
    }

    /**
     * How many of an outbound run's look-ups and writes are in flight at once: the connector's
     * {@link Connector#maxCallsInFlight()}, or less when the job asks for less.
     */
    public int callsInFlight() {
        int connectors = Math.max(1, connector.maxCallsInFlight());
        return maxCallsInFlight == 0 ? connectors : Math.min(maxCallsInFlight, connectors);
    }

    /** The origin the engine gives the changes it writes to the profile store. */
    public String origin() {
        return "crmsync:" + connectionId;
    }

    @Override
    public String toString() {
        return "SyncJob{" + id + ", " + direction + ", connector=" + connector.providerId() + ", connection="
                + connectionId + (dryRun ? ", dry run" : "") + (fullExport ? ", full export" : "") + "}";
    }

    /**
     * Builds a {@link SyncJob}. A connector, a profile store, a state store, a mapping and a direction
     * are required; {@link #build()} names every missing or bad part at once.
     */
    public static final class Builder {
        private String id;
        private String connectionId;
        private Connector connector;
        private ProfileStore profiles;
        private SyncStateStore state;
        private FieldMapping mapping;
        private SyncPolicy policy = SyncPolicy.builder().build();
        private SyncDirection direction;
        private boolean dryRun;
        private boolean fullExport;
        private Predicate<Profile> exportFilter = p -> true;
        private final Map<String, String> inboundDefaults = new LinkedHashMap<>();
        private SyncListener listener = SyncListener.NONE;
        private org.crmsync.report.ReportSink reportSink = org.crmsync.report.ReportSink.NONE;
        private int reportRowsKept = org.crmsync.report.SyncReport.DEFAULT_ROWS_KEPT;
        private int maxCallsInFlight;
        private ActivitySource activities;
        private ActivityMapping activityMapping = ActivityMapping.none();

        private Builder(String id) {
            this.id = requireNonNull(id, "id");
        }

        /**
         * The job id (letters, digits, '.', '_' and '-'): it names the job's cursors, retries and reports
         * in the state store, so keep it stable across runs. {@code toBuilder().id("...")} makes a
         * sibling job, such as the outbound job of an inbound one.
         */
        public Builder id(String value) {
            this.id = requireNonNull(value, "id");
            return this;
        }

        /**
         * The CRM account this job syncs with (letters, digits, '.', '_' and '-'). Jobs with one
         * connection id share the daily API quota, and the changes they write to the profile store are
         * marked with it so that the outbound job does not echo back what the inbound job brought in.
         * The default is derived from the connector's account (the provider id and a digest of
         * {@link Connector#accountKey()}); set one to keep counts and echo marks when an account's
         * host or API user changes.
         */
        public Builder connectionId(String value) {
            this.connectionId = requireNonNull(value, "connectionId");
            return this;
        }

        /** The CRM account's connector, from {@code ConnectorRegistry.create(...)}; required. */
        public Builder connector(Connector value) {
            this.connector = requireNonNull(value, "connector");
            return this;
        }

        /** The application's profiles: its own {@link ProfileStore}; required. */
        public Builder profiles(ProfileStore value) {
            this.profiles = requireNonNull(value, "profiles");
            return this;
        }

        /** Where cursors, retries, API call counts and reports are kept between runs; required. */
        public Builder state(SyncStateStore value) {
            this.state = requireNonNull(value, "state");
            return this;
        }

        /** How local fields map to the CRM's; required. Start from the provider's {@code defaultMapping()}. */
        public Builder mapping(FieldMapping value) {
            this.mapping = requireNonNull(value, "mapping");
            return this;
        }

        /** The sync rules (mode, authority, countries, quota, ...); default {@code SyncPolicy.builder().build()}. */
        public Builder policy(SyncPolicy value) {
            this.policy = requireNonNull(value, "policy");
            return this;
        }

        /** {@code INBOUND} (CRM to application) or {@code OUTBOUND} (application to CRM); required. */
        public Builder direction(SyncDirection value) {
            this.direction = requireNonNull(value, "direction");
            return this;
        }

        /** Read and plan, write nothing to either side; the report lists what would be done. Default false. */
        public Builder dryRun(boolean value) {
            this.dryRun = value;
            return this;
        }

        /**
         * Outbound only: push every profile the {@link #exportFilter} accepts, not only those changed
         * since the last run (the system-of-record seed's manual export). Default false.
         */
        public Builder fullExport(boolean value) {
            this.fullExport = value;
            return this;
        }

        /** Which profiles a {@link #fullExport} pushes; default all. */
        public Builder exportFilter(Predicate<Profile> value) {
            this.exportFilter = requireNonNull(value, "exportFilter");
            return this;
        }

        /**
         * A value set on profiles an inbound run creates when the CRM gives none (for example the
         * system-of-record seed's "Opportunity Created By" = {@code ActiveCampaign}). Not for the
         * constituent ID, the local ID or the opt-in status.
         */
        public Builder inboundDefault(String fieldName, String value) {
            requireNonNull(fieldName, "fieldName");
            requireNonNull(value, "value");
            if (StandardField.byName(fieldName).filter(f -> f == StandardField.CONSTITUENT_ID
                    || f == StandardField.LOCAL_ID || f == StandardField.OPT_IN_STATUS).isPresent()) {
                throw new IllegalArgumentException(fieldName + " cannot have an inbound default");
            }
            inboundDefaults.put(fieldName, value);
            return this;
        }

        /** Told of every record's result and of the run's end, on the run's thread; default none. */
        public Builder listener(SyncListener value) {
            this.listener = requireNonNull(value, "listener");
            return this;
        }

        /**
         * Every row of every run goes here as it happens (a CSV file, JSON lines, the application's own
         * table): the run's {@code SyncReport} keeps counts and only the first {@link #reportRowsKept} rows,
         * so a run of millions of records holds no more than that. Default none.
         */
        public Builder reportSink(org.crmsync.report.ReportSink value) {
            this.reportSink = requireNonNull(value, "reportSink");
            return this;
        }

        /** How many rows a run's report keeps in memory (and in the state store); default 1,000. */
        public Builder reportRowsKept(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("reportRowsKept may not be negative: " + value);
            }
            this.reportRowsKept = value;
            return this;
        }

        /**
         * At most this many of an outbound run's calls in flight at once, when that is fewer than the
         * connector allows: for example when several servers run jobs of one CRM account and share its
         * rate limit. Default: the connector's {@link Connector#maxCallsInFlight()}.
         */
        public Builder maxCallsInFlight(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxCallsInFlight must be at least 1: " + value);
            }
            this.maxCallsInFlight = value;
            return this;
        }

        /** The activities an {@link SyncDirection#ACTIVITIES} job posts (required for such a job). */
        public Builder activities(ActivitySource value) {
            this.activities = requireNonNull(value, "activities");
            return this;
        }

        /**
         * How the activities map to the CRM's form: start from the connector provider's {@code
         * defaultActivityMapping()}; without one, no activity type is mapped and nothing is posted.
         */
        public Builder activityMapping(ActivityMapping value) {
            this.activityMapping = requireNonNull(value, "activityMapping");
            return this;
        }

        /** @throws IllegalArgumentException naming every missing or bad part */
        public SyncJob build() {
            StringBuilder problems = new StringBuilder();
            if (!id.matches("[A-Za-z0-9._-]+")) {
                problems.append("; job id '").append(id).append("' may only contain letters, digits, '.', '_' and '-'");
            }
            Optional.ofNullable(connectionId).filter(c -> !c.matches("[A-Za-z0-9._-]+")).ifPresent(c ->
                    problems.append("; connection id '").append(c).append("' may only contain letters, digits, '.', '_' and '-'"));
            if (connector == null) {
                problems.append("; a connector is required");
            }
            if (profiles == null) {
                problems.append("; a profile store is required");
            }
            if (state == null) {
                problems.append("; a sync state store is required");
            }
            if (mapping == null && direction == SyncDirection.ACTIVITIES) {
                mapping = FieldMapping.defaults(); // activities have their own mapping; connectors still see one
            }
            if (mapping == null) {
                problems.append("; a field mapping is required (start from the connector provider's defaultMapping())");
            }
            if (direction == null) {
                problems.append("; a direction (INBOUND, OUTBOUND or ACTIVITIES) is required");
            }
            if (direction == SyncDirection.ACTIVITIES && activities == null) {
                problems.append("; an ACTIVITIES job needs the application's activities (activities(source))");
            }
            if (direction == SyncDirection.ACTIVITIES && connector != null
                    && !connector.capabilities().contains(org.crmsync.spi.Capability.WRITE_ACTIVITIES)) {
                problems.append("; the ").append(connector.providerId()).append(" connector does not post activities,"
                        + " so it cannot run an ACTIVITIES job");
            }
            if (direction != SyncDirection.ACTIVITIES && activities != null) {
                problems.append("; activities(source) only applies to ACTIVITIES jobs");
            }
            if (fullExport && direction != SyncDirection.OUTBOUND) {
                problems.append("; fullExport only applies to OUTBOUND jobs");
            }
            if (problems.length() > 0) {
                throw new IllegalArgumentException("sync job " + id + ": " + problems.substring(2));
            }
            return new SyncJob(this);
        }
    }
}
