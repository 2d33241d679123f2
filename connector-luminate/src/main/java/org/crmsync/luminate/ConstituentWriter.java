package org.crmsync.luminate;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.luminate.internal.LuminateAnswer;
import org.crmsync.luminate.internal.LuminateClient;
import org.crmsync.luminate.internal.LuminateJson;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.WriteResult;

/**
 * Writes constituents, one call each (the Constituent API has no batch write):
 *
 * <ul>
 *   <li>A new opt-in, which the engine looked up by email first and found no one for: {@code
 *       createOrUpdate} by {@code primary_email} (never with a {@code cons_id}: an unknown one "silently does
 *       nothing", create-or-update-server.html), with the mapped fields (the opt-in field true, {@code
 *       mobile_phone}), {@code source}, {@code add_center_ids}, {@code no_welcome} and an explicit {@code
 *       email.accepts_email} (new constituents are otherwise opted out of email, reference notes §5 pitfall
 *       12). Matching by the email makes a repeat of a call whose answer was lost update the record it
 *       created instead of adding a second one, so it is retried like a read. An email shared by several
 *       constituents was refused at look-up (Luminate's code 8): where the site does not enforce unique
 *       emails, {@code createOrUpdate} would add yet another record, so nothing is sent for it.
 *   <li>An opt-out or changed fields of a linked profile: {@code update} by {@code cons_id}. A {@code cons_id}
 *       the look-up did not find (code 16) is reported, not sent.
 * </ul>
 *
 * <p>Empty values: Luminate ignores an empty parameter, so a field to clear is sent as a single space,
 * as the consumersunion client does (reference notes §3.3; the effect is unverified).
 */
final class ConstituentWriter {
    private final LuminateClient client;
    private final LuminateConfig config;
    private final Set<String> severalByEmail;
    private final Set<String> notFound;

    /**
     * @param severalByEmail keys of writes whose email several constituents share (from the look-up)
     * @param notFound constituent ids the look-up did not find
     */
    ConstituentWriter(LuminateClient client, LuminateConfig config, Set<String> severalByEmail, Set<String> notFound) {
        this.client = requireNonNull(client, "client");
        this.config = requireNonNull(config, "config");
        this.severalByEmail = severalByEmail;
        this.notFound = notFound;
    }

    List<WriteResult> write(List<RemoteWrite> batch) {
        List<WriteResult> results = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            RemoteWrite w = batch.get(i);
            try {
                results.add(w.operation() == RemoteWrite.Operation.CREATE ? create(w) : update(w));
            } catch (CrmSyncException e) {
                if (e.code() != ErrorCode.QUOTA_EXHAUSTED) {
                    throw e;
                }
                for (int j = i; j < batch.size(); j++) {
                    results.add(WriteResult.notSent(batch.get(j).key(), e.getMessage()));
                }
                return results;
            }
        }
        return results;
    }

    private WriteResult create(RemoteWrite w) {
        if (severalByEmail.contains(w.key())) {
            return WriteResult.failed(w.key(), "8", "several Luminate constituents have this email address, so it"
                    + " matches none of them for certain; nothing was created (createOrUpdate would add another record"
                    + " where the site does not enforce unique emails). Merge the duplicates in Luminate.", false);
        }
        Map<String, String> params = new LinkedHashMap<>();
        w.fields().forEach((name, value) -> {
            if (!value.isEmpty() && !name.equals(LuminateMapping.CONS_ID)) {
                params.put(LuminateMapping.parameter(name), value);
            }
        });
        params.put("email.accepts_email", Boolean.toString(config.newAcceptsEmail()));
        params.put("source", config.source());
        if (!config.centerIds().isEmpty()) {
            params.put("add_center_ids", String.join(",", config.centerIds()));
        }
        // "f"/"false" sends the welcome autoresponder; anything else suppresses it (createOrUpdate docs).
        params.put("no_welcome", config.noWelcome() ? "1" : "false");
        LuminateAnswer answer = client.call(LuminateClient.CONS, "createOrUpdate", params, true);
        if (answer instanceof LuminateAnswer.Refused refused) {
            return refusal(w, refused);
        }
        String consId = LuminateJson.text(((LuminateAnswer.Ok) answer).body().get("cons_id")).orElseThrow(() ->
                new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "Luminate SRConsAPI createOrUpdate answered"
                        + " without a cons_id"));
        return WriteResult.created(w.key(), consId);
    }

    private WriteResult update(RemoteWrite w) {
        String consId = w.remoteId().orElseThrow();
        if (notFound.contains(consId)) {
            return WriteResult.failed(w.key(), "16", notFoundMessage(consId), false);
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put(LuminateMapping.CONS_ID, consId);
        w.fields().forEach((name, value) -> {
            if (!name.equals(LuminateMapping.CONS_ID)) {
                params.put(LuminateMapping.parameter(name), value.isEmpty() ? " " : value);
            }
        });
        if (params.size() == 1) {
            return WriteResult.unchanged(w.key(), consId, "nothing to change");
        }
        LuminateAnswer answer = client.call(LuminateClient.CONS, "update", params, true);
        if (answer instanceof LuminateAnswer.Refused refused) {
            return refused.notFound() ? WriteResult.failed(w.key(), "16", notFoundMessage(consId), false)
                    : refusal(w, refused);
        }
        return WriteResult.updated(w.key(), consId);
    }

    private static String notFoundMessage(String consId) {
        return "Luminate has no constituent " + consId + " (merged or deleted there?); unlink the profile or fix its"
                + " constituent ID";
    }

    private static WriteResult refusal(RemoteWrite w, LuminateAnswer.Refused refused) {
        return WriteResult.failed(w.key(), Integer.toString(refused.code()), "Luminate refused the constituent (error "
                + refused.code() + "): " + refused.message(), false);
    }
}
