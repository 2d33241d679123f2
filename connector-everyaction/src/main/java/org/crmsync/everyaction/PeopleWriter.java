package org.crmsync.everyaction;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.everyaction.internal.FindOrCreateOutcome;
import org.crmsync.everyaction.internal.UpdateOutcome;
import org.crmsync.everyaction.internal.VanClient;
import org.crmsync.everyaction.internal.VanPerson;
import org.crmsync.everyaction.internal.VanPhone;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.WriteResult;

/**
 * Writes a batch to EveryAction, one call per record: VAN has no synchronous batch write for people.
 * (Its bulk import jobs take a file at a URL VAN fetches, {@code POST bulkImportJobs} with {@code
 * file.sourceUrl}; the library has no place to publish such a file, so they are not used.)
 *
 * <ul>
 *   <li>A new opt-in: {@code POST people/findOrCreate} with the cell phone (type {@code C}, SMS opt-in
 *       {@code I}) and the email with an explicit {@code isSubscribed}, so VAN does not change the
 *       email's subscription by default (parsons PR #963). VAN matches the person or creates one; the VAN
 *       ID becomes the profile's constituent ID.
 *   <li>A linked person: {@code POST people/{vanId}} with the changed standard fields; an opt-in change
 *       sets {@code smsOptInStatus} on that one phone and no other (the phone named in the write, else
 *       the person's cell phone, read once with {@code GET people/{vanId}} when the run has not read it).
 * </ul>
 *
 * <p>Reads return words ({@code "Cell"}, {@code "Opt-In"}); writes send codes ({@code "C"}, {@code "I"},
 * {@code "O"}). {@code phoneOptInStatus} (the call opt-in) is left alone: the seed's opt-in is SMS.
 * Blank values are not sent: VAN documents no way to clear a person's field through these calls.
 */
final class PeopleWriter {
    private final VanClient client;
    private final EveryActionConfig config;
    private final Map<Long, VanPerson> known;
    private final LongFunction<Optional<VanPerson>> read;

    /**
     * @param known the people this run read already, by VAN ID
     * @param read reads a person (one call) and remembers it
     */
    PeopleWriter(VanClient client, EveryActionConfig config, Map<Long, VanPerson> known,
            LongFunction<Optional<VanPerson>> read) {
        this.client = requireNonNull(client, "client");
        this.config = requireNonNull(config, "config");
        this.known = requireNonNull(known, "known");
        this.read = requireNonNull(read, "read");
    }

    /**
     * One result per record. A whole-call failure (VAN down after the retries, the credentials) on the
     * first record is thrown: nothing was written. On a later record, the records before keep their
     * results and the rest fail retryably, to be sent again on the next run; the quota leaves the rest not
     * sent.
     */
    List<WriteResult> write(List<RemoteWrite> batch) {
        List<WriteResult> results = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            RemoteWrite w = batch.get(i);
            try {
                results.add(w.operation() == RemoteWrite.Operation.CREATE ? create(w) : update(w));
            } catch (CrmSyncException e) {
                if (e.code() == ErrorCode.QUOTA_EXHAUSTED) {
                    batch.subList(i, batch.size()).forEach(r -> results.add(WriteResult.notSent(r.key(),
                            e.getMessage())));
                    return results;
                }
                if (results.isEmpty()) {
                    throw e;
                }
                for (RemoteWrite rest : batch.subList(i, batch.size())) {
                    results.add(WriteResult.failed(rest.key(), e.code().name(), (rest == w ? "" : "not sent: ")
                            + e.getMessage(), true));
                }
                return results;
            }
        }
        return results;
    }

    private WriteResult create(RemoteWrite w) {
        Map<String, String> f = w.fields();
        ObjectNode body = VanClient.object();
        names(body, f);
        value(f, EveryActionMapping.EMAIL).ifPresent(email -> body.set("emails", array(email(email))));
        value(f, EveryActionMapping.CELL_PHONE).ifPresent(number -> body.set("phones", array(phone(number, "C",
                w.optIn() == OptInStatus.OPTED_OUT ? "O" : "I"))));
        address(f).ifPresent(a -> body.set("addresses", array(a)));
        FindOrCreateOutcome outcome = client.findOrCreate(body);
        if (outcome instanceof FindOrCreateOutcome.Created c) {
            return WriteResult.created(w.key(), Long.toString(c.vanId()));
        }
        if (outcome instanceof FindOrCreateOutcome.Matched m) {
            return WriteResult.matched(w.key(), Long.toString(m.vanId()), "VAN matched its person " + m.vanId()
                    + (m.status().isBlank() ? "" : " (" + m.status() + ")"));
        }
        if (outcome instanceof FindOrCreateOutcome.Person p) {
            known.put(p.person().vanId(), p.person());
            return WriteResult.matched(w.key(), Long.toString(p.person().vanId()), "VAN answered with person "
                    + p.person().vanId() + " (it does not say whether it matched or created it)");
        }
        FindOrCreateOutcome.Refused r = (FindOrCreateOutcome.Refused) outcome;
        return WriteResult.failed(w.key(), r.errorCode(), "EveryAction refused the new person (HTTP " + r.httpStatus()
                + "): " + r.message(), false);
    }

    private WriteResult update(RemoteWrite w) {
        String remoteId = w.remoteId().orElseThrow();
        Optional<Long> parsed = EveryActionConnector.vanId(remoteId);
        if (parsed.isEmpty()) {
            return WriteResult.failed(w.key(), "NOT_A_VAN_ID", "constituent ID '" + remoteId + "' is not a VAN ID",
                    false);
        }
        long vanId = parsed.get();
        Map<String, String> f = w.fields();
        ObjectNode body = VanClient.object();
        body.put("vanId", vanId);
        names(body, f);
        address(f).ifPresent(a -> body.set("addresses", array(a)));
        Optional<String> email = value(f, EveryActionMapping.EMAIL);
        VanPerson current = known.get(vanId);
        if (email.isPresent() && (current == null || current.emails().stream()
                .noneMatch(e -> e.address().equalsIgnoreCase(email.get())))) {
            body.set("emails", array(email(email.get())));
        }
        Optional<String> sms = smsCode(w);
        Optional<String> number = value(f, EveryActionMapping.CELL_PHONE);
        String note = "";
        if (number.isEmpty() && current == null && sms.isPresent()) {
            // The consent is the profile's own phone's (the seed: opted out "on that phone only"): the
            // write's identity names it, so VAN is told which phone without the person being read first.
            Optional<String> own = value(w.identity(), EveryActionMapping.CELL_PHONE);
            if (own.isPresent()) {
                body.set("phones", array(phone(own.get(), "C", sms.get())));
                sms = Optional.empty();
            }
        }
        if (sms.isPresent() || number.isPresent()) {
            if (number.isEmpty() && current == null) {
                current = read.apply(vanId).orElse(null);
                if (current == null) {
                    return WriteResult.failed(w.key(), "NOT_FOUND", "VAN ID " + vanId + " is not available (merged or"
                            + " deleted in EveryAction?)", false);
                }
            }
            Optional<VanPhone> target = number.isPresent() && current != null ? current.phone(number.get())
                    : number.isPresent() ? Optional.empty() : current.cellPhone();
            Optional<String> targetNumber = number.or(() -> target.map(VanPhone::international));
            if (targetNumber.isPresent()) {
                String code = sms.or(() -> target.flatMap(VanPhone::smsOptInCode)).orElse(null);
                boolean same = target.isPresent() && code != null && target.get().smsOptInCode().equals(Optional.of(code))
                        && number.isEmpty();
                if (!same) {
                    body.set("phones", array(phone(targetNumber.get(), target.flatMap(VanPhone::typeCode).orElse("C"),
                            code)));
                }
            } else if (sms.isPresent()) {
                note = "the person has no cell phone in EveryAction, so no SMS opt-in was set";
            }
        }
        if (body.size() == 1) {
            return WriteResult.unchanged(w.key(), remoteId, note.isEmpty() ? "EveryAction already has these values"
                    : note);
        }
        UpdateOutcome outcome = client.update(vanId, body);
        if (outcome instanceof UpdateOutcome.Refused r) {
            return WriteResult.failed(w.key(), r.errorCode(), "EveryAction refused the update of VAN ID " + vanId
                    + " (HTTP " + r.httpStatus() + "): " + r.message(), false);
        }
        known.remove(vanId); // what this run read of it is no longer current
        return note.isEmpty() ? WriteResult.updated(w.key(), remoteId)
                : new WriteResult(w.key(), WriteResult.Status.UPDATED, Optional.of(remoteId), Optional.empty(), note,
                        false);
    }

    /** The SMS opt-in code this write sets: from its opt-in, else from a mapped opt-in field; empty for none. */
    private static Optional<String> smsCode(RemoteWrite w) {
        switch (w.optIn()) {
            case OPTED_IN: return Optional.of("I");
            case OPTED_OUT: return Optional.of("O");
            default: return value(w.fields(), EveryActionMapping.SMS_OPT_IN).flatMap(VanPhone::optInCode);
        }
    }

    /**
     * The match candidate of {@code people/find} for a profile, when it has one of VAN's minimum
     * combinations (first name, last name and email; first name, last name and phone; or the email alone:
     * https://docs.ngpvan.com/reference/common-models); otherwise VAN would never match, so none.
     */
    static Optional<JsonNode> matchCandidate(Profile p) {
        ObjectNode body = VanClient.object();
        boolean names = p.firstName().isPresent() && p.lastName().isPresent();
        p.firstName().ifPresent(v -> body.put("firstName", v));
        p.lastName().ifPresent(v -> body.put("lastName", v));
        p.email().ifPresent(e -> body.set("emails", array(VanClient.object().put("email", e))));
        if (names) {
            p.phoneNumber().ifPresent(n -> {
                ObjectNode phone = VanClient.object();
                national(n, phone);
                body.set("phones", array(phone));
            });
        }
        return p.email().isPresent() || (names && p.phoneNumber().isPresent()) ? Optional.of(body) : Optional.empty();
    }

    private static void names(ObjectNode body, Map<String, String> f) {
        value(f, EveryActionMapping.FIRST_NAME).ifPresent(v -> body.put("firstName", v));
        value(f, EveryActionMapping.LAST_NAME).ifPresent(v -> body.put("lastName", v));
    }

    private ObjectNode email(String address) {
        // An explicit subscription, so VAN does not set one of its own (parsons PR #963).
        return VanClient.object().put("email", address).put("type", "P").put("isSubscribed", config.newEmailSubscribed());
    }

    private static ObjectNode phone(String number, String typeCode, String smsCode) {
        ObjectNode phone = VanClient.object();
        national(number, phone);
        phone.put("phoneType", typeCode);
        if (smsCode != null) {
            phone.put("smsOptInStatus", smsCode);
        }
        return phone;
    }

    /** {@code +14155550123} as VAN keeps it: {@code phoneNumber} 4155550123 with {@code dialingPrefix} 1. */
    private static void national(String number, ObjectNode phone) {
        String digits = number.replaceAll("[^0-9]", "");
        if (number.trim().startsWith("+1") && digits.length() == 11) {
            phone.put("phoneNumber", digits.substring(1)).put("dialingPrefix", "1");
        } else {
            phone.put("phoneNumber", digits.isEmpty() ? number.trim() : digits);
        }
    }

    private static Optional<ObjectNode> address(Map<String, String> f) {
        ObjectNode a = VanClient.object();
        for (String name : List.of(EveryActionMapping.ADDRESS_LINE_1, EveryActionMapping.ADDRESS_LINE_2,
                EveryActionMapping.CITY, EveryActionMapping.STATE, EveryActionMapping.ZIP, EveryActionMapping.COUNTRY)) {
            value(f, name).ifPresent(v -> a.put(name, v));
        }
        return a.isEmpty() ? Optional.empty() : Optional.of(a);
    }

    private static ArrayNode array(JsonNode one) {
        return VanClient.object().arrayNode().add(one);
    }

    private static Optional<String> value(Map<String, String> f, String name) {
        return Optional.ofNullable(f.get(name)).map(String::trim).filter(v -> !v.isEmpty());
    }
}
