package org.crmsync.testing.contract;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.crmsync.activity.Activity;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.policy.Authority;
import org.crmsync.policy.SyncMode;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorProvider;
import org.crmsync.spi.ConnectorRegistry;

/**
 * A connector's simulator as the {@link ConnectorContract} suite drives it: people added and changed
 * as a CRM user would, the CRM's current people, faults on the next call of a kind, and a connector
 * for it made through its provider as an application would. One per test; closed after it.
 */
public interface ContractCrm extends AutoCloseable {
    /** The provider id, as {@code ConnectorRegistry} knows it. */
    String providerId();

    /**
     * The configuration of a connector for this simulator: the smallest pages the CRM allows (so a few
     * hundred records span pages), and {@code http.read.timeout} well below
     * {@link CallFault#READ_TIMEOUT_DELAY_MILLIS}.
     */
    Map<String, String> config();

    /** A connector for the simulator, created through the registry with {@link #config()}. */
    Connector connector(ConnectorContext context);

    /** The mapping the contract's jobs use: the provider's default for {@link #config()}. */
    default FieldMapping mapping() {
        return ConnectorRegistry.load().provider(providerId()).defaultMapping(config());
    }

    /**
     * Whether the contract's policy starts from the provider's preset ({@link #policy()}); false for a
     * CRM whose preset is not a two-way sync (a system-of-record preset).
     */
    default boolean policyFromPreset() {
        return true;
    }

    /** The policy the contract's jobs start from: a liberal two-way sync with a default opt-in path. */
    default SyncPolicy.Builder policy() {
        return contractPolicy(ConnectorRegistry.load().provider(providerId()), policyFromPreset());
    }

    /** The contract's policy for a provider, also in a child JVM (the crash harness). */
    static SyncPolicy.Builder contractPolicy(ConnectorProvider provider, boolean fromPreset) {
        return (fromPreset ? provider.policyPreset() : SyncPolicy.builder()).mode(SyncMode.LIBERAL)
                .authority(Authority.TWO_WAY).defaultOptInPath("web");
    }

    /** Adds a person as a CRM user would; returns the record's id. */
    String add(Person person);

    /** Adds these people in one change, so they share one change timestamp (a mass import). */
    List<String> addAtOnce(List<Person> people);

    /** Changes a person as a CRM user would (a new value for each field of {@code person}). */
    void update(String id, Person person);

    /** The CRM's people now, by record id. */
    Map<String, Person> people();

    /** The kinds of call this connector makes (by the simulator's names), for the fault matrix. */
    Set<String> callKinds();

    /** The faults that apply to this CRM; {@link CallFault#EXPIRED_SESSION} only where there is a session. */
    Set<CallFault> faults();

    /** The next call of {@code kind} gets {@code fault} instead of the CRM's answer. */
    void failNext(String kind, CallFault fault);

    /** The next call of {@code kind} is applied, and then the connection drops before the answer. */
    void applyThenDropNext(String kind);

    /** The kind of call that creates records (the one a crash between create and write-back hits). */
    String createKind();

    /** The kind of call that updates records (an opt-out's). */
    String updateKind();

    /** Every call of this kind fails as the CRM being down (503) until {@link #clearFaults()}. */
    void down(String kind);

    /** Faults given to {@link #failNext} that no call has met yet. */
    int faultsPending();

    /** Every fault switched off; the CRM answers normally. */
    void clearFaults();

    /**
     * An activity of a type the provider's {@code defaultActivityMapping()} maps, for profile {@code
     * localId}, with every field that type requires; empty when the connector posts no activities (the
     * contract's activity cases are then skipped).
     */
    default Optional<Activity> sampleActivity(String key, String localId) {
        return Optional.empty();
    }

    /** How many activities with this application key the CRM holds (exactly once: 1). */
    default long activitiesWithKey(String key) {
        throw new UnsupportedOperationException("this CRM's simulator keeps no activities");
    }

    /** The kind of call that posts activities (the one whose answer the contract drops). */
    default String activityKind() {
        throw new UnsupportedOperationException("this CRM's simulator keeps no activities");
    }

    /** Requests the simulator received, in all. */
    int requests();

    /** Every secret {@link #config()} holds, and any session token the CRM issued. */
    List<String> secrets();

    @Override
    void close();
}
