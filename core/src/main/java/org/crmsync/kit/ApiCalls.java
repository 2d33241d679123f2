package org.crmsync.kit;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import okhttp3.Request;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.http.ConnectionFailure;
import org.crmsync.http.HttpErrors;
import org.crmsync.http.HttpSettings;
import retrofit2.Call;
import retrofit2.Response;

/**
 * Sends a connector's Retrofit calls to its CRM, the one way: a lost connection, a timeout or a TLS
 * failure becomes a {@link ConnectionFailure} message naming the call, the host setting to check and,
 * for a write the CRM does not deduplicate, that it may have been applied; JSON of a shape the
 * connector cannot read becomes {@code UNEXPECTED_RESPONSE} without Jackson's wording (its messages can
 * quote personal data); an unsuccessful answer goes to the connector's {@link ErrorDecoder}, which
 * knows its CRM's error shapes. Secrets are masked in every message. Thread-safe.
 */
public final class ApiCalls {
    /** Turns an unsuccessful answer into the exception for it, from the CRM's error body. */
    @FunctionalInterface
    public interface ErrorDecoder {
        CrmSyncException decode(Response<?> response, String what);
    }

    private final String crm;
    private final Function<Request, String> hostSetting;
    private final HttpSettings settings;
    private final Supplier<? extends Collection<String>> secrets;
    private final Predicate<Request> createsWithoutDeduplication;
    private final String whenMaybeApplied;

    private ApiCalls(Builder b) {
        this.crm = b.crm;
        this.hostSetting = b.hostSetting;
        this.settings = b.settings;
        this.secrets = b.secrets;
        this.createsWithoutDeduplication = b.createsWithoutDeduplication;
        this.whenMaybeApplied = b.whenMaybeApplied;
    }

    /** @param crm the CRM's name, for messages ("Salesforce") */
    public static Builder builder(String crm) {
        return new Builder(crm);
    }

    /**
     * The CRM's answer, successful or not.
     *
     * @param what the call, for messages ("Salesforce query of Contacts")
     */
    public <T> Response<T> send(Call<T> call, String what) {
        try {
            return call.execute();
        } catch (JsonProcessingException e) {
            // Valid JSON of another shape (HttpClients checked that the answer is JSON).
            throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, what + " to " + HttpErrors.where(call.request())
                    + ": " + HttpErrors.unreadableJson(e) + ", not what " + crm + " documents.");
        } catch (IOException e) {
            throw connectionFailure(e, call.request(), what);
        } catch (RuntimeException e) {
            // A converter or body that wraps what went wrong on the wire (UncheckedIOException).
            if (!(e instanceof CrmSyncException) && e.getCause() instanceof IOException io) {
                throw connectionFailure(io, call.request(), what);
            }
            throw e;
        }
    }

    /** The body of a successful answer; an unsuccessful one is {@code errors}' exception, an empty one unexpected. */
    public <T> T body(Call<T> call, String what, ErrorDecoder errors) {
        Response<T> response = send(call, what);
        if (!response.isSuccessful()) {
            throw requireNonNull(errors.decode(response, what), "decoded error");
        }
        T body = response.body();
        if (body == null) {
            throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, what + " answered HTTP " + response.code()
                    + " with no body");
        }
        return body;
    }

    private CrmSyncException connectionFailure(IOException e, Request request, String what) {
        ConnectionFailure failure = ConnectionFailure.of(e, request).what(what).crm(crm)
                .hostSetting(hostSetting.apply(request)).settings(settings).secrets(List.copyOf(secrets.get()));
        if (createsWithoutDeduplication.test(request)) {
            failure.nonIdempotentWrite(whenMaybeApplied);
        }
        return failure.toException();
    }

    /** Builds {@link ApiCalls}; every part but the CRM's name has a default. */
    public static final class Builder {
        private final String crm;
        private Function<Request, String> hostSetting = r -> "api.host";
        private HttpSettings settings = HttpSettings.defaults();
        private Supplier<? extends Collection<String>> secrets = List::of;
        private Predicate<Request> createsWithoutDeduplication = r -> false;
        private String whenMaybeApplied = "check the CRM before sending it again";

        private Builder(String crm) {
            this.crm = requireNonNull(crm, "crm");
        }

        /** The setting that names the host a request went to, for a message about reaching it. */
        public Builder hostSetting(Function<Request, String> value) {
            this.hostSetting = requireNonNull(value, "hostSetting");
            return this;
        }

        public Builder hostSetting(String key) {
            requireNonNull(key, "key");
            return hostSetting(r -> key);
        }

        /** The timeouts and attempts in force, named in a timeout's message. */
        public Builder settings(HttpSettings value) {
            this.settings = requireNonNull(value, "settings");
            return this;
        }

        /** The secrets to mask in messages, asked for each message (a session token may change). */
        public Builder secrets(Supplier<? extends Collection<String>> value) {
            this.secrets = requireNonNull(value, "secrets");
            return this;
        }

        /**
         * Which requests create records the CRM does not deduplicate, so a lost answer may mean the record
         * was created: their message says so, with {@code advice} (what keeps it from being created twice).
         */
        public Builder createsWithoutDeduplication(Predicate<Request> which, String advice) {
            this.createsWithoutDeduplication = requireNonNull(which, "which");
            this.whenMaybeApplied = requireNonNull(advice, "advice");
            return this;
        }

        public ApiCalls build() {
            return new ApiCalls(this);
        }
    }
}
