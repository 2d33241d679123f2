package org.crmsync.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The rules of one sync: liberal or conservative, which side is the authority, which countries are
 * allowed, the opt-in path new subscribers join, the source code written on records the sync
 * creates, the daily API quota, default names, the inbound look-back window and the order in which
 * records are matched.
 */
public final class SyncPolicy {
    private final SyncMode mode;
    private final Authority authority;
    private final Set<String> allowedCountries;
    private final String defaultOptInPath;
    private final List<OptInPathRule> optInPathRules;
    private final String sourceCode;
    private final long dailyApiQuota;
    private final QuotaWindow apiQuotaWindow;
    private final int apiQuotaBlock;
    private final String defaultFirstName;
    private final String defaultLastName;
    private final Duration inboundLookback; // null: not set, the connector's default applies
    private final List<MatchKey> inboundMatchOrder;
    private final List<MatchKey> outboundMatchOrder;
    private final String defaultRegion;
    private final boolean requireMobileNumber;
    private final boolean activitiesOfOptedOutProfiles;

    private SyncPolicy(Builder b) {
        this.mode = b.mode;
        this.authority = b.authority;
        this.allowedCountries = Set.copyOf(b.allowedCountries);
        this.defaultOptInPath = b.defaultOptInPath;
        this.optInPathRules = List.copyOf(b.optInPathRules);
        this.sourceCode = b.sourceCode;
        this.dailyApiQuota = b.dailyApiQuota;
        this.apiQuotaWindow = b.apiQuotaWindow;
        this.apiQuotaBlock = b.apiQuotaBlock;
        this.defaultFirstName = b.defaultFirstName;
        this.defaultLastName = b.defaultLastName;
        this.inboundLookback = b.inboundLookback;
        this.inboundMatchOrder = List.copyOf(b.inboundMatchOrder);
        this.outboundMatchOrder = List.copyOf(b.outboundMatchOrder);
        this.defaultRegion = b.defaultRegion;
        this.requireMobileNumber = b.requireMobileNumber;
        this.activitiesOfOptedOutProfiles = b.activitiesOfOptedOutProfiles;
    }

    /** Calls reserved from the shared quota counter at a time unless the policy says otherwise. */
    public static final int DEFAULT_API_QUOTA_BLOCK = 20;

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.mode = mode;
        b.authority = authority;
        b.allowedCountries.addAll(allowedCountries);
        b.defaultOptInPath = defaultOptInPath;
        b.optInPathRules.addAll(optInPathRules);
        b.sourceCode = sourceCode;
        b.dailyApiQuota = dailyApiQuota;
        b.apiQuotaWindow = apiQuotaWindow;
        b.apiQuotaBlock = apiQuotaBlock;
        b.defaultFirstName = defaultFirstName;
        b.defaultLastName = defaultLastName;
        b.inboundLookback = inboundLookback;
        b.inboundMatchOrder = new ArrayList<>(inboundMatchOrder);
        b.outboundMatchOrder = new ArrayList<>(outboundMatchOrder);
        b.defaultRegion = defaultRegion;
        b.requireMobileNumber = requireMobileNumber;
        b.activitiesOfOptedOutProfiles = activitiesOfOptedOutProfiles;
        return b;
    }

    public SyncMode mode() {
        return mode;
    }

    public Authority authority() {
        return authority;
    }

    /** ISO 3166 alpha-2 codes; empty means every country is allowed. */
    public Set<String> allowedCountries() {
        return allowedCountries;
    }

    /** Whether a record from this country (ISO alpha-2) may be synced. */
    public boolean allowsCountry(String isoCountry) {
        return allowedCountries.isEmpty() || allowedCountries.contains(isoCountry.trim().toUpperCase(Locale.ROOT));
    }

    /** The opt-in path (for example the application's web opt-in path) new subscribers from the CRM join. */
    public Optional<String> defaultOptInPath() {
        return Optional.ofNullable(defaultOptInPath);
    }

    /**
     * Rules that send people new to the application to an opt-in path by a CRM field, in order; the
     * first that matches wins, {@link #defaultOptInPath()} otherwise.
     */
    public List<OptInPathRule> optInPathRules() {
        return optInPathRules;
    }

    /**
     * The opt-in path a subscriber new to the application joins, from the CRM record's fields (by the
     * connector's names): the first rule that matches, else the default path.
     */
    public Optional<String> optInPathFor(java.util.Map<String, String> remoteFields) {
        for (OptInPathRule rule : optInPathRules) {
            if (rule.matches(remoteFields)) {
                return Optional.of(rule.optInPath());
            }
        }
        return defaultOptInPath();
    }

    /** Identifies the application to the CRM on records the sync creates (the seeds' default is the platform's name). */
    public String sourceCode() {
        return sourceCode;
    }

    /**
     * Most API calls the sync may make in the {@link #apiQuotaWindow()} (a UTC day unless set);
     * empty means no limit of ours.
     */
    public OptionalLong dailyApiQuota() {
        return dailyApiQuota < 0 ? OptionalLong.empty() : OptionalLong.of(dailyApiQuota);
    }

    /**
     * The window the quota counts over: {@link QuotaWindow#UTC_DAY} by default; Salesforce counts its
     * own limit over {@link QuotaWindow#ROLLING_24_HOURS}. Every job of one connection must use the
     * same window.
     */
    public QuotaWindow apiQuotaWindow() {
        return apiQuotaWindow;
    }

    /**
     * How many calls a run reserves from the shared quota counter at a time (20 by default): larger
     * blocks mean fewer writes to the state store, smaller ones less of the quota held by runs that
     * do not need it.
     */
    public int apiQuotaBlock() {
        return apiQuotaBlock;
    }

    /** First name given to records without one (the Salesforce seed: {@code Contact}). */
    public Optional<String> defaultFirstName() {
        return Optional.ofNullable(defaultFirstName);
    }

    public Optional<String> defaultLastName() {
        return Optional.ofNullable(defaultLastName);
    }

    /**
     * How far before the cursor inbound reads look again (the EveryAction seed's 48 hours), when the
     * policy sets it; empty means the connector's own default ({@link
     * org.crmsync.spi.Connector#defaultInboundLookback()}), chosen for how late its CRM may show a change.
     * A look-back set to zero is zero: the connector then does not look back at all.
     */
    public Optional<Duration> inboundLookback() {
        return Optional.ofNullable(inboundLookback);
    }

    /** The policy's inbound look-back, or {@code connectorDefault} when the policy sets none. */
    public Duration inboundLookbackOr(Duration connectorDefault) {
        requireNonNull(connectorDefault, "connectorDefault");
        return inboundLookback != null ? inboundLookback : connectorDefault;
    }

    /** How a CRM record finds its local profile, first key first. */
    public List<MatchKey> inboundMatchOrder() {
        return inboundMatchOrder;
    }

    /** How a local profile finds its CRM record before one is created, first key first. */
    public List<MatchKey> outboundMatchOrder() {
        return outboundMatchOrder;
    }

    /** The region phone numbers without a country code are read in (ISO alpha-2, default US). */
    public String defaultRegion() {
        return defaultRegion;
    }

    /**
     * Whether inbound records need a valid mobile number (the SMS platform seeds: "user records must
     * include a listed mobile number"). A student-information system of record may not; then an invalid
     * number is left out of the profile instead of skipping the record.
     */
    public boolean requireMobileNumber() {
        return requireMobileNumber;
    }

    /**
     * Whether an activity job posts the activities of a profile that has opted out (default: yes, a call
     * or a donation happened whatever the person's texting consent); when not, they are reported {@code
     * PROFILE_OPTED_OUT} and not posted.
     */
    public boolean activitiesOfOptedOutProfiles() {
        return activitiesOfOptedOutProfiles;
    }

    @Override
    public String toString() {
        return "SyncPolicy{mode=" + mode + ", authority=" + authority + ", allowedCountries=" + allowedCountries
                + ", defaultOptInPath=" + defaultOptInPath + (optInPathRules.isEmpty() ? "" : ", optInPathRules="
                + optInPathRules) + ", sourceCode=" + sourceCode
                + ", dailyApiQuota=" + dailyApiQuota()
                + (apiQuotaWindow == QuotaWindow.UTC_DAY ? "" : ", apiQuotaWindow=" + apiQuotaWindow)
                + (apiQuotaBlock == DEFAULT_API_QUOTA_BLOCK ? "" : ", apiQuotaBlock=" + apiQuotaBlock)
                + ", inboundLookback="
                + (inboundLookback == null ? "connector default" : inboundLookback)
                + ", inboundMatchOrder=" + inboundMatchOrder + ", outboundMatchOrder=" + outboundMatchOrder
                + (activitiesOfOptedOutProfiles ? "" : ", activitiesOfOptedOutProfiles=false") + "}";
    }

    /**
     * Builds a {@link SyncPolicy}. Defaults: conservative, two-way, all countries, no quota, the
     * connector's inbound look-back.
     */
    public static final class Builder {
        private SyncMode mode = SyncMode.CONSERVATIVE;
        private Authority authority = Authority.TWO_WAY;
        private final Set<String> allowedCountries = new LinkedHashSet<>();
        private String defaultOptInPath;
        private final List<OptInPathRule> optInPathRules = new ArrayList<>();
        private String sourceCode = "crmsync";
        private long dailyApiQuota = -1;
        private QuotaWindow apiQuotaWindow = QuotaWindow.UTC_DAY;
        private int apiQuotaBlock = DEFAULT_API_QUOTA_BLOCK;
        private String defaultFirstName;
        private String defaultLastName;
        private Duration inboundLookback;
        private List<MatchKey> inboundMatchOrder =
                new ArrayList<>(List.of(MatchKey.CONSTITUENT_ID, MatchKey.PHONE, MatchKey.EMAIL));
        private List<MatchKey> outboundMatchOrder =
                new ArrayList<>(List.of(MatchKey.CONSTITUENT_ID, MatchKey.PHONE, MatchKey.EMAIL));
        private String defaultRegion = "US";
        private boolean requireMobileNumber = true;
        private boolean activitiesOfOptedOutProfiles = true;

        private Builder() {
        }

        /** See {@link SyncPolicy#activitiesOfOptedOutProfiles()}. */
        public Builder activitiesOfOptedOutProfiles(boolean value) {
            this.activitiesOfOptedOutProfiles = value;
            return this;
        }

        public Builder requireMobileNumber(boolean value) {
            this.requireMobileNumber = value;
            return this;
        }

        public Builder mode(SyncMode value) {
            this.mode = requireNonNull(value, "mode");
            return this;
        }

        public Builder authority(Authority value) {
            this.authority = requireNonNull(value, "authority");
            return this;
        }

        /** Only records from these countries (ISO alpha-2, e.g. {@code US}) are synced. */
        public Builder allowedCountries(String... isoCountries) {
            allowedCountries.clear();
            for (String c : isoCountries) {
                allowedCountries.add(requireNonNull(c, "isoCountries[]").trim().toUpperCase(Locale.ROOT));
            }
            return this;
        }

        public Builder defaultOptInPath(String value) {
            this.defaultOptInPath = value == null || value.isBlank() ? null : value;
            return this;
        }

        /**
         * New subscribers whose CRM field {@code remoteField} holds one of {@code values} join
         * {@code optInPath}; rules are tried in the order they are added, before the default path.
         */
        public Builder optInPathRule(String remoteField, java.util.Collection<String> values, String optInPath) {
            optInPathRules.add(new OptInPathRule(remoteField, Set.copyOf(values), optInPath));
            return this;
        }

        public Builder clearOptInPathRules() {
            optInPathRules.clear();
            return this;
        }

        public Builder sourceCode(String value) {
            this.sourceCode = requireNonNull(value, "sourceCode");
            return this;
        }

        /** At most this many API calls per window (a UTC day unless set); a negative value means no limit. */
        public Builder dailyApiQuota(long value) {
            this.dailyApiQuota = value < 0 ? -1 : value;
            return this;
        }

        /** The window {@link #dailyApiQuota} counts over (a UTC day by default). */
        public Builder apiQuotaWindow(QuotaWindow value) {
            this.apiQuotaWindow = requireNonNull(value, "apiQuotaWindow");
            return this;
        }

        /** Calls reserved from the shared counter at a time, at least 1 (20 by default). */
        public Builder apiQuotaBlock(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("apiQuotaBlock must be at least 1; got " + value);
            }
            this.apiQuotaBlock = value;
            return this;
        }

        public Builder noDailyApiQuota() {
            this.dailyApiQuota = -1;
            return this;
        }

        public Builder defaultFirstName(String value) {
            this.defaultFirstName = value == null || value.isBlank() ? null : value;
            return this;
        }

        public Builder defaultLastName(String value) {
            this.defaultLastName = value == null || value.isBlank() ? null : value;
            return this;
        }

        /** How far before the cursor inbound reads look again; zero for not at all. */
        public Builder inboundLookback(Duration value) {
            this.inboundLookback = requireNonNull(value, "inboundLookback");
            return this;
        }

        /** Inbound reads look back as far as the connector's default (the setting unless changed). */
        public Builder connectorInboundLookback() {
            this.inboundLookback = null;
            return this;
        }

        public Builder inboundMatchOrder(MatchKey... keys) {
            this.inboundMatchOrder = new ArrayList<>(List.of(keys));
            return this;
        }

        public Builder outboundMatchOrder(MatchKey... keys) {
            this.outboundMatchOrder = new ArrayList<>(List.of(keys));
            return this;
        }

        public Builder defaultRegion(String isoRegion) {
            this.defaultRegion = requireNonNull(isoRegion, "defaultRegion").trim().toUpperCase(Locale.ROOT);
            return this;
        }

        /** @throws IllegalArgumentException naming every bad setting */
        public SyncPolicy build() {
            List<String> problems = new ArrayList<>();
            for (String c : allowedCountries) {
                if (!c.matches("[A-Z]{2}")) {
                    problems.add("allowed country '" + c + "' is not an ISO 3166 alpha-2 code such as US");
                }
            }
            if (!defaultRegion.matches("[A-Z]{2}")) {
                problems.add("default region '" + defaultRegion + "' is not an ISO 3166 alpha-2 code such as US");
            }
            if (inboundLookback != null && inboundLookback.isNegative()) {
                problems.add("inbound lookback may not be negative");
            }
            if (inboundMatchOrder.isEmpty() || outboundMatchOrder.isEmpty()) {
                problems.add("match orders need at least one match key");
            }
            if (new LinkedHashSet<>(inboundMatchOrder).size() != inboundMatchOrder.size()
                    || new LinkedHashSet<>(outboundMatchOrder).size() != outboundMatchOrder.size()) {
                problems.add("a match key appears twice in a match order");
            }
            if (sourceCode.isBlank()) {
                problems.add("source code may not be blank");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("sync policy: " + String.join("; ", problems));
            }
            return new SyncPolicy(this);
        }
    }
}
