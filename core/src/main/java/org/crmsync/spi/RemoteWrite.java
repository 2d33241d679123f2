package org.crmsync.spi;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.crmsync.model.OptInStatus;

/**
 * One record of a write batch.
 *
 * @param key the engine's key for the record (the local profile's id); results carry it back
 * @param operation create a CRM record or update the one named by {@code remoteId}
 * @param remoteId the CRM record to update; empty for a create
 * @param fields values by API field name, already converted by the mapping (opt-in included); an
 *     empty string asks the connector to clear that field in the CRM's own way
 * @param optIn the opt-in status this write sets, for connectors whose CRM records consent through
 *     its own API rather than a field; {@link OptInStatus#UNKNOWN} when the write does not change it
 * @param identity who and which phone the write is about: the local profile's mobile number and email
 *     by API field name, converted as a write converts them, whether or not this write changes them
 *     ({@link org.crmsync.mapping.FieldMapping#identityOf}). A connector whose CRM keeps consent on a
 *     phone record may address that phone by it instead of reading the record first; it writes a value
 *     only when {@code fields} has it. Empty when the engine knows neither
 */
public record RemoteWrite(String key, Operation operation, Optional<String> remoteId, Map<String, String> fields,
        OptInStatus optIn, Map<String, String> identity) {
    /** What a write does to the CRM. */
    public enum Operation {
        CREATE, UPDATE
    }

    public RemoteWrite {
        requireNonNull(key, "key");
        requireNonNull(operation, "operation");
        requireNonNull(remoteId, "remoteId");
        requireNonNull(fields, "fields");
        requireNonNull(optIn, "optIn");
        requireNonNull(identity, "identity");
        if (operation == Operation.UPDATE && remoteId.isEmpty()) {
            throw new IllegalArgumentException("an update of " + key + " needs the CRM record id");
        }
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        identity = Collections.unmodifiableMap(new LinkedHashMap<>(identity));
    }

    /** A write without an identity, as before it had one. */
    public RemoteWrite(String key, Operation operation, Optional<String> remoteId, Map<String, String> fields,
            OptInStatus optIn) {
        this(key, operation, remoteId, fields, optIn, Map.of());
    }

    public static RemoteWrite create(String key, Map<String, String> fields, OptInStatus optIn) {
        return new RemoteWrite(key, Operation.CREATE, Optional.empty(), fields, optIn);
    }

    public static RemoteWrite update(String key, String remoteId, Map<String, String> fields, OptInStatus optIn) {
        return new RemoteWrite(key, Operation.UPDATE, Optional.of(remoteId), fields, optIn);
    }

    /** This write with {@code value} as its {@link #identity}. */
    public RemoteWrite withIdentity(Map<String, String> value) {
        return new RemoteWrite(key, operation, remoteId, fields, optIn, value);
    }

    @Override
    public String toString() {
        return "RemoteWrite{" + key + " " + operation + remoteId.map(id -> " " + id).orElse("") + " fields="
                + fields.keySet() + "}";
    }
}
