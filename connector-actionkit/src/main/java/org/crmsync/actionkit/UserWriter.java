package org.crmsync.actionkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crmsync.CrmSyncException;
import org.crmsync.actionkit.internal.ActionKitClient;
import org.crmsync.actionkit.internal.ActionKitClient.Written;
import org.crmsync.actionkit.internal.ActionKitJson;
import org.crmsync.model.OptInStatus;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.WriteResult;

/**
 * Writes one record through the REST resources: a new opt-in becomes a user ({@code POST
 * /rest/v1/user/}) with the policy's source code and the opt-in field true, then its mobile phone
 * ({@code POST /rest/v1/phone/}, type {@code mobile}, the same source); an update is a {@code PATCH} of
 * the changed fields (custom fields in the nested {@code fields} object, cassette
 * rest_user_custom_fieds.yml), and a changed mobile number updates the user's one mobile phone of the
 * sync's source, or adds it: ActionKit keeps one phone per (user, type, source) (core_phone
 * unique_together), so the sync never adds a second one of its own.
 *
 * <p>A create whose email ActionKit already has answers 409 with the other user's {@code Location}
 * (cassette rest_user_duplicate_email.yml): that user is linked ({@link WriteResult#matched}) and gets
 * the opt-in and the mobile number, nothing else, as a conservative sync's link would. A create retried
 * after a lost answer meets the same 409 and links the user the first attempt made: creates are never
 * duplicated. Thread-safe; one per session.
 */
final class UserWriter {
    private static final Pattern ZIP_PLUS4 = Pattern.compile("([0-9]{5})-?([0-9]{4})");
    static final String FIELDS = "fields";

    private final ActionKitClient client;
    private final String sourceCode;
    private final String optInField;
    private final PhoneBook phoneBook;

    UserWriter(ActionKitClient client, String sourceCode, String optInField, PhoneBook phoneBook) {
        this.client = client;
        this.sourceCode = sourceCode;
        this.optInField = optInField;
        this.phoneBook = phoneBook;
    }

    WriteResult create(RemoteWrite w) {
        ObjectNode user = userBody(w.fields(), true);
        Written created = client.createUser(user);
        if (created instanceof Written.Conflict conflict) {
            return linkExisting(w, conflict);
        }
        if (created instanceof Written.Refused refused) {
            return WriteResult.failed(w.key(), "USER_REFUSED", refused.summary(), false);
        }
        Optional<String> id = ((Written.Done) created).id();
        if (id.isEmpty()) {
            return WriteResult.failed(w.key(), null, "ActionKit created the user without a Location to read its id"
                    + " from; the next run finds it by email", true);
        }
        phoneBook.created(id.get());
        String note;
        try {
            note = mobile(w).map(number -> writeMobile(id.get(), number)).orElse("");
        } catch (CrmSyncException e) {
            // The user exists but its mobile number may not: not linked now, so the next run finds the user by
            // email and links it, writing the number with the retry's fields.
            return WriteResult.failed(w.key(), "PHONE_NOT_WRITTEN", "ActionKit user " + id.get() + " was created but"
                    + " its mobile phone could not be written (" + e.getMessage() + "); the next run links the user"
                    + " and writes the number", true);
        }
        return note.isEmpty() ? WriteResult.created(w.key(), id.get())
                : new WriteResult(w.key(), WriteResult.Status.CREATED, id, Optional.of("PHONE_NOT_WRITTEN"), note, false);
    }

    /**
     * The email belongs to a user already (a look-up that ran before another integration created them, or
     * a retried create): link to them, with the opt-in set and the mobile number written.
     */
    private WriteResult linkExisting(RemoteWrite w, Written.Conflict conflict) {
        if (conflict.existingId().isEmpty()) {
            return WriteResult.failed(w.key(), "EMAIL_TAKEN", "ActionKit has a user with this email (409) but did"
                    + " not say which: " + conflict.summary(), true);
        }
        String id = conflict.existingId().get();
        String optIn = w.fields().get(ActionKitMapping.USER_FIELD_PREFIX + optInField);
        if (optIn != null) {
            ObjectNode changes = ActionKitJson.MAPPER.createObjectNode();
            changes.putObject(FIELDS).put(optInField, optIn);
            Written updated = client.updateUser(id, changes);
            if (updated instanceof Written.Refused refused) {
                return WriteResult.failed(w.key(), "USER_REFUSED", "ActionKit has a user with this email (" + id
                        + "), and refused its opt-in: " + refused.summary(), false);
            }
        }
        String note = mobile(w).map(number -> writeMobile(id, number)).orElse("");
        return WriteResult.matched(w.key(), id, "ActionKit already has a user with this email (409 CONFLICT);"
                + " linked to it and its opt-in set" + (note.isEmpty() ? "" : "; " + note));
    }

    WriteResult update(RemoteWrite w) {
        String id = w.remoteId().orElseThrow();
        ObjectNode changes = userBody(w.fields(), false);
        if (changes.size() > 0) {
            Written updated = client.updateUser(id, changes);
            if (updated instanceof Written.Conflict conflict) {
                return WriteResult.failed(w.key(), "EMAIL_TAKEN", "the new email belongs to another ActionKit user"
                        + conflict.existingId().map(o -> " (" + o + ")").orElse("") + ": " + conflict.summary(), false);
            }
            if (updated instanceof Written.Refused refused) {
                return WriteResult.failed(w.key(), refused.status() == 404 ? "NO_SUCH_USER" : "USER_REFUSED",
                        refused.status() == 404 ? "ActionKit has no user " + id + " (deleted or merged?)"
                                : refused.summary(), false);
            }
        }
        String note = numberFor(w, id).map(number -> writeMobile(id, number)).orElse("");
        return note.isEmpty() ? WriteResult.updated(w.key(), id)
                : new WriteResult(w.key(), WriteResult.Status.UPDATED, Optional.of(id), Optional.of("PHONE_NOT_WRITTEN"),
                        note, false);
    }

    /** A user's new email, through the user resource (409 when another user has it). */
    Written updateEmail(String userId, String email) {
        return client.updateUser(userId, ActionKitJson.MAPPER.createObjectNode().put("email", email));
    }

    /** The number an update puts on the user's mobile phone: the one it carries, else {@link #subscribersNumber}. */
    Optional<String> numberFor(RemoteWrite w, String userId) {
        return mobile(w).or(() -> subscribersNumber(w, userId));
    }

    /** Whether an update may write the user's mobile phone, so its user's phones are worth reading first. */
    static boolean mayWriteMobile(RemoteWrite w) {
        return mobile(w).isPresent() || (w.optIn() == OptInStatus.OPTED_IN
                && Optional.ofNullable(w.identity().get(ActionKitMapping.MOBILE_PHONE)).filter(v -> !v.isBlank())
                        .isPresent());
    }

    /**
     * The number of a subscriber whose opt-in this write sets, when the write does not carry it (a
     * conservative sync linking a new opt-in writes the opt-in alone) and ActionKit has no mobile phone
     * of that number for the user, whatever its source: the seed's opt-in is of a mobile number, so the
     * user gets it as the sync's own mobile phone; nothing ActionKit has is changed.
     */
    private Optional<String> subscribersNumber(RemoteWrite w, String userId) {
        if (w.optIn() != OptInStatus.OPTED_IN) {
            return Optional.empty();
        }
        return Optional.ofNullable(w.identity().get(ActionKitMapping.MOBILE_PHONE)).filter(v -> !v.isBlank())
                .filter(number -> !phoneBook.hasMobile(userId, number));
    }

    private static Optional<String> mobile(RemoteWrite w) {
        return Optional.ofNullable(w.fields().get(ActionKitMapping.MOBILE_PHONE)).filter(v -> !v.isBlank());
    }

    /**
     * Writes the user's mobile number to its mobile phone of the sync's source, creating that phone when it
     * has none; empty when done, else what went wrong (no number quoted).
     */
    String writeMobile(String userId, String number) {
        Optional<JsonNode> own = phoneBook.ownMobile(userId);
        if (own.isPresent()) {
            String phoneId = ActionKitJson.text(own.get(), "id");
            if (UserRecords.normalized(ActionKitJson.text(own.get(), "phone")).equals(UserRecords.normalized(number))) {
                return "";
            }
            ObjectNode changes = ActionKitJson.MAPPER.createObjectNode().put("phone", number);
            Written w = client.updatePhone(phoneId, changes);
            return w instanceof Written.Refused r ? "its mobile phone was not updated: " + r.summary() : "";
        }
        ObjectNode phone = ActionKitJson.MAPPER.createObjectNode().put("user", "/rest/v1/user/" + userId + "/")
                .put("type", UserRecords.PHONE_MOBILE).put("phone", number).put("source", sourceCode);
        Written w = client.createPhone(phone);
        if (w instanceof Written.Refused refused) {
            // A phone of this user, type and source exists (the answer to an earlier create was lost, or another
            // run made it): read the user's phones and update that one.
            Optional<JsonNode> after = phoneBook.reload(userId);
            if (after.isPresent()) {
                Written again = client.updatePhone(ActionKitJson.text(after.get(), "id"),
                        ActionKitJson.MAPPER.createObjectNode().put("phone", number));
                return again instanceof Written.Refused r ? "its mobile phone was not written: " + r.summary() : "";
            }
            return "its mobile phone was not written: " + refused.summary();
        }
        return "";
    }

    /**
     * The user resource's body for a write: the mapped fields under their names, custom fields in {@code
     * fields}, the mobile number and the id left out (they are not user fields); a create gets the policy's
     * source code ("Source of the first action the user took", users.html) unless the mapping writes one. A
     * ZIP+4 is split between {@code zip} (five characters at most) and {@code plus4} (core_user).
     */
    ObjectNode userBody(Map<String, String> fields, boolean create) {
        ObjectNode user = ActionKitJson.MAPPER.createObjectNode();
        ObjectNode custom = ActionKitJson.MAPPER.createObjectNode();
        fields.forEach((name, value) -> {
            if (name.equals(ActionKitMapping.MOBILE_PHONE) || name.equals(ActionKitMapping.ID)) {
                return;
            }
            if (name.startsWith(ActionKitMapping.USER_FIELD_PREFIX)) {
                custom.put(name.substring(ActionKitMapping.USER_FIELD_PREFIX.length()), value);
            } else if (name.equals("zip")) {
                Matcher m = ZIP_PLUS4.matcher(value.trim());
                if (m.matches()) {
                    user.put("zip", m.group(1)).put("plus4", m.group(2));
                } else {
                    user.put("zip", value);
                }
            } else {
                user.put(name, value);
            }
        });
        if (create && !user.has("source")) {
            user.put("source", sourceCode);
        }
        if (custom.size() > 0) {
            user.set(FIELDS, custom);
        }
        return user;
    }
}
