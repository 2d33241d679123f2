package org.crmsync.luminate;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.activity.ActivityMapping;
import org.crmsync.luminate.internal.LuminateAnswer;
import org.crmsync.luminate.internal.LuminateClient;
import org.crmsync.luminate.internal.LuminateJson;
import org.crmsync.spi.ActivityResult;
import org.crmsync.spi.ActivityWrite;

/**
 * The seed's donations and calls as Luminate records, one call each, never repeated by the client:
 *
 * <ul>
 *   <li>A gift made on the platform's mobile donation page: {@code SRDonationAPI addOfflineDonation}, which
 *       "records offline donations (that were already processed by an external payment processor)" and
 *       "does not process donation transactions" (addOfflineDonation_method.html). {@code donate} and
 *       {@code getDonationFormInfo} are client-side only (CRDonationAPI; reference notes §7). Sent: the shadow
 *       donation form ({@code form_id}) and level ({@code level_id}) the seed names, the amount as {@code
 *       additional_amount} (for a level whose amount the donor chose), the donor's email and billing name and
 *       the one billing address the application keeps (the seed's note), {@code donor.cons_id} of the linked
 *       constituent, and {@code offline_payment_method} from {@code donation.payment.method}. No card data ever
 *       passes through: an activity with a card or bank field is refused.
 *   <li>A call made through the platform: {@code SRAdvocacyAPI takeAction} with the call alert ({@code
 *       alert_id}, {@code alert_type=call}), the constituent ({@code cons_id}, taken by the server form) and
 *       {@code called=true} (developer.blackbaud.com/lo-api/loapi/advocacy/takeAction). takeAction has no
 *       parameter for the legislator called or the time, so the seed's {@code map recipient_id} and start
 *       time go in its {@code note}, with the application's key.
 * </ul>
 *
 * <p>Neither method takes a key of the caller's that a later call could find, so the connector does not
 * declare {@code FINDS_ACTIVITIES_BY_KEY}: an activity whose answer was lost is left to the engine, which
 * reports it for a person to check instead of posting it twice.
 */
final class Activities {
    static final String DONATION = "donation";
    static final String CALL = "call";

    private final LuminateClient client;
    private final LuminateConfig config;

    Activities(LuminateClient client, LuminateConfig config) {
        this.client = requireNonNull(client, "client");
        this.config = requireNonNull(config, "config");
    }

    /** The seed's fields of each type (its table and its donation form map), by local name. */
    static ActivityMapping defaultMapping() {
        return ActivityMapping.builder()
                .type(DONATION, DONATION)
                .map(DONATION, "form_id", "form_id").map(DONATION, "level_id", "level_id")
                .map(DONATION, "amount", "additional_amount").map(DONATION, "donor_email", "donor.email")
                .map(DONATION, "first_name", "billing.name.first").map(DONATION, "last_name", "billing.name.last")
                .map(DONATION, "billing_street_1", "billing.address.street1")
                .map(DONATION, "billing_street_2", "billing.address.street2")
                .map(DONATION, "billing_city", "billing.address.city")
                .map(DONATION, "billing_state", "billing.address.state")
                .map(DONATION, "billing_postal_code", "billing.address.zip")
                .map(DONATION, "billing_country", "billing.address.country")
                .required(DONATION, "form_id").required(DONATION, "level_id").required(DONATION, "donor_email")
                .required(DONATION, "first_name").required(DONATION, "last_name")
                .type(CALL, CALL)
                .map(CALL, "alert_id", "alert_id").map(CALL, "recipient_id", "recipient_id")
                .required(CALL, "alert_id")
                .build();
    }

    List<ActivityResult> write(List<ActivityWrite> batch) {
        List<ActivityResult> results = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            ActivityWrite w = batch.get(i);
            try {
                results.add(post(w));
            } catch (CrmSyncException e) {
                if (e.code() != ErrorCode.QUOTA_EXHAUSTED) {
                    throw e;
                }
                for (int j = i; j < batch.size(); j++) {
                    results.add(ActivityResult.notSent(batch.get(j).key(), e.getMessage()));
                }
                return results;
            }
        }
        return results;
    }

    private ActivityResult post(ActivityWrite w) {
        switch (w.type()) {
            case DONATION:
                return donation(w);
            case CALL:
                return call(w);
            default:
                return ActivityResult.failed(w.key(), "UNKNOWN_TYPE", "Luminate takes activities of type " + DONATION
                        + " (addOfflineDonation) and " + CALL + " (takeAction); map '" + w.type() + "' to one of them",
                        false);
        }
    }

    private ActivityResult donation(ActivityWrite w) {
        Optional<String> card = w.fields().keySet().stream().filter(Activities::paymentData).findFirst();
        if (card.isPresent()) {
            return ActivityResult.failed(w.key(), "CARD_DATA", "the gift carries '" + card.get() + "': no card or bank"
                    + " data is ever sent to Luminate (the gift was processed by the platform's payment processor);"
                    + " remove the field from the activity mapping", false);
        }
        Map<String, String> params = new LinkedHashMap<>();
        w.fields().forEach((k, v) -> {
            if (!v.isBlank()) {
                params.put(k, v);
            }
        });
        params.put("donor.cons_id", w.remoteRecordId());
        params.put("offline_payment_method", config.paymentMethod());
        params.put("source", config.source());
        LuminateAnswer answer = client.call(LuminateClient.DONATION, "addOfflineDonation", params, false);
        if (answer instanceof LuminateAnswer.Refused refused) {
            return ActivityResult.failed(w.key(), Integer.toString(refused.code()), "Luminate refused the gift (error "
                    + refused.code() + "): " + refused.message(), false);
        }
        JsonNode body = ((LuminateAnswer.Ok) answer).body();
        List<String> errors = new ArrayList<>();
        for (JsonNode e : LuminateJson.list(body.path("errors"))) {
            LuminateJson.text(e.get("message")).or(() -> LuminateJson.text(e.get("pageError")))
                    .or(() -> LuminateJson.text(e.path("fieldError"))).or(() -> LuminateJson.text(e)).ifPresent(errors::add);
            LuminateJson.list(e.get("fieldError")).forEach(f -> LuminateJson.text(f).ifPresent(errors::add));
        }
        if (!LuminateJson.list(body.path("errors")).isEmpty()) {
            return ActivityResult.failed(w.key(), "DONATION_ERRORS", "Luminate did not record the gift: "
                    + (errors.isEmpty() ? "its donationResponse lists errors" : String.join("; ", errors)), false);
        }
        Optional<String> id = LuminateJson.text(body.path("donation").get("transaction_id"))
                .or(() -> LuminateJson.text(body.path("donation").get("confirmation_code")));
        return ActivityResult.posted(w.key(), id);
    }

    private ActivityResult call(ActivityWrite w) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("alert_id", w.fields().get("alert_id"));
        params.put("alert_type", "call");
        params.put("cons_id", w.remoteRecordId());
        params.put("called", "true");
        StringBuilder note = new StringBuilder("call ").append(w.key());
        Optional.ofNullable(w.fields().get("recipient_id")).filter(v -> !v.isBlank())
                .ifPresent(r -> note.append("; recipient ").append(r));
        note.append("; called at ").append(w.occurredAt());
        params.put("note", note.toString());
        params.put("source", config.source());
        LuminateAnswer answer = client.call(LuminateClient.ADVOCACY, "takeAction", params, false);
        if (answer instanceof LuminateAnswer.Refused refused) {
            return ActivityResult.failed(w.key(), Integer.toString(refused.code()), "Luminate refused the call (error "
                    + refused.code() + "): " + refused.message(), false);
        }
        return ActivityResult.posted(w.key(), Optional.empty());
    }

    private static boolean paymentData(String field) {
        String f = field.toLowerCase(Locale.ROOT);
        return f.startsWith("card_") || f.startsWith("ach_") || f.contains("cvv") || f.contains("card_number");
    }
}
