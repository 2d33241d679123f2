package org.crmsync.mapping;

import java.util.Optional;

/**
 * Converts one field's value between its local and its remote form, for example a graduation year
 * into May 30 of that year, or {@code true/false} into a CRM's {@code Yes/No}. An empty result means
 * "no value". Throw {@link IllegalArgumentException} with a message naming the problem for a value
 * that cannot be converted; the record is then reported as a validation error.
 */
public interface ValueConverter {
    /** Passes values through unchanged. */
    ValueConverter IDENTITY = new ValueConverter() {
        @Override
        public Optional<String> toLocal(String remoteValue) {
            return Optional.of(remoteValue);
        }

        @Override
        public Optional<String> toRemote(String localValue) {
            return Optional.of(localValue);
        }
    };

    /** Converts a non-blank remote value into the local form. */
    Optional<String> toLocal(String remoteValue);

    /** Converts a non-blank local value into the remote form. */
    Optional<String> toRemote(String localValue);

    /**
     * A yes/no field whose remote spelling is {@code remoteYes}/{@code remoteNo} (ActionKit's
     * subscriber field choices {@code true=Yes}, {@code false=No}; Salesforce's {@code true/false}).
     * Reading accepts any spelling {@link org.crmsync.model.OptInStatus#parse(String)} knows.
     */
    static ValueConverter yesNo(String remoteYes, String remoteNo) {
        return new ValueConverter() {
            @Override
            public Optional<String> toLocal(String remoteValue) {
                if (remoteValue.equalsIgnoreCase(remoteYes)) {
                    return Optional.of("true");
                }
                if (remoteValue.equalsIgnoreCase(remoteNo)) {
                    return Optional.of("false");
                }
                return org.crmsync.model.OptInStatus.parse(remoteValue)
                        .orElseThrow(() -> new IllegalArgumentException("'" + remoteValue + "' is not a yes/no value"
                                + " (expected " + remoteYes + " or " + remoteNo + ")"))
                        .fieldValue();
            }

            @Override
            public Optional<String> toRemote(String localValue) {
                return org.crmsync.model.OptInStatus.parse(localValue).map(java.util.Optional::of)
                        .orElseThrow(() -> new IllegalArgumentException("'" + localValue + "' is not a yes/no value"))
                        .flatMap(s -> {
                    switch (s) {
                        case OPTED_IN: return Optional.of(remoteYes);
                        case OPTED_OUT: return Optional.of(remoteNo);
                        default: return Optional.empty();
                    }
                });
            }
        };
    }
}
