package org.crmsync.actionkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.actionkit.internal.ActionKitClient;
import org.crmsync.actionkit.internal.ActionKitClient.Written;
import org.crmsync.actionkit.internal.ActionKitJson;
import org.crmsync.http.Redaction;
import org.crmsync.kit.JobPoller;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.WriteResult;

/**
 * Large batches through ActionKit's upload API ({@code POST /rest/v1/upload/}, uploads.html): a CSV file
 * through the configured Import page, polled ({@code GET /rest/v1/upload/{id}/}) until {@code
 * is_completed}, its errors read page by page from {@code uploaderror} only then. The traps parsons
 * documents are handled:
 * <ul>
 *   <li>"blank values in columns will overwrite existing data": a row never carries a blank cell. Rows
 *       are grouped by the columns they have a value for, and each group is its own file with only those
 *       columns (parsons' {@code no_overwrite_on_empty}).
 *   <li>errors read before the upload completes are incomplete (parsons PR #979): they are read after.
 *   <li>"If you get a 500 error, try sending a much smaller file (say, one row), which is more likely to
 *       return the proper 400": a group whose upload ActionKit refuses or fails (or whose answer is lost)
 *       goes through the REST resources instead, record by record, where each record gets its own
 *       error. That is safe: an import finds its users by email or id, so a file ActionKit took after
 *       all and the REST writes land on the same users (a create then meets the 409 and links).
 * </ul>
 * New users are read back by email after the upload (for their ids, and to tell who the import made);
 * their mobile phones then go through the phone resource, one call each: we found no phone column in the
 * upload documentation we could read (uploads.html names the identifying columns and the user_ and action_ ones).
 * Opt-outs go as {@code user_id} and {@code user_<opt-in field>} columns, the fast path ActionKit offers
 * when a file has only the id column and user fields ({@code user_fields_only}).
 */
final class UserUploads {
    private static final String EMAIL = "email";
    
    private final ActionKitClient client;
    private final ActionKitConfig config;
    private final ConnectorContext context;
    private final UserLookup lookup;
    private final UserWriter writer;
    private final PhoneBook phoneBook;

    UserUploads(ActionKitClient client, ActionKitConfig config, ConnectorContext context, UserLookup lookup,
            UserWriter writer, PhoneBook phoneBook) {
        this.client = client;
        this.config = config;
        this.context = context;
        this.lookup = lookup;
        this.writer = writer;
        this.phoneBook = phoneBook;
    }

    /** One row of a file: the record, and its cells by column. */
    private record Row(RemoteWrite write, Map<String, String> cells) {
    }

    /** An upload's end: completed with its error messages by row number (1 is the header), or not. */
    private record Outcome(boolean completed, int errors, Map<Integer, String> rowErrors, List<String> otherErrors,
            String what) {
    }

    /**
     * Whether a write can go in an upload of updates: an update of user fields. A file of updates is
     * keyed by {@code user_id} alone ("uploading combo of user_id and email column should be mutually
     * exclusive", parsons): an email the update carries is compared with the user's after the upload and
     * written through the user resource when it changed (it may belong to another user, which the 409 says
     * for the record alone); the mobile number, not a user field, goes to the phone resource when it
     * changed.
     */
    static boolean uploadable(RemoteWrite w) {
        return w.operation() == RemoteWrite.Operation.UPDATE
                && w.fields().keySet().stream().anyMatch(f -> !f.equals(ActionKitMapping.MOBILE_PHONE) && !f.equals(EMAIL));
    }

    /**
     * New users through uploads; each record's result, or, for the records whose upload ActionKit did not
     * take, none: the caller writes those through the REST resources.
     */
    Map<String, WriteResult> creates(List<RemoteWrite> creates) {
        List<Row> rows = new ArrayList<>();
        for (RemoteWrite w : creates) {
            rows.add(new Row(w, cells(writer.userBody(w.fields(), true), Optional.empty())));
        }
        Map<String, WriteResult> results = new LinkedHashMap<>();
        for (List<Row> group : groups(rows)) {
            Optional<Outcome> outcome = upload(group, false);
            if (outcome.isEmpty()) {
                continue; // the REST resources write these
            }
            results.putAll(createdUsers(group, outcome.get()));
        }
        return results;
    }

    /** Updates (opt-outs, changed user fields) through uploads, by {@code user_id}; as {@link #creates}. */
    Map<String, WriteResult> updates(List<RemoteWrite> updates) {
        List<Row> rows = new ArrayList<>();
        for (RemoteWrite w : updates) {
            Map<String, String> cells = cells(writer.userBody(w.fields(), false), w.remoteId());
            cells.remove(EMAIL);
            rows.add(new Row(w, cells));
        }
        Map<String, WriteResult> results = new LinkedHashMap<>();
        for (List<Row> group : groups(rows)) {
            boolean userFieldsOnly = group.get(0).cells().keySet().stream().allMatch(c -> c.equals("user_id")
                    || c.startsWith(ActionKitMapping.USER_FIELD_PREFIX));
            Optional<Outcome> outcome = upload(group, userFieldsOnly);
            if (outcome.isEmpty()) {
                continue;
            }
            results.putAll(updatedUsers(group, outcome.get()));
        }
        return results;
    }

    /**
     * A row's cells: the user body's fields by their import column names (custom fields as {@code
     * user_<name>}), blank ones left out so that they overwrite nothing, and {@code user_id} for an update.
     */
    private static Map<String, String> cells(ObjectNode body, Optional<String> userId) {
        Map<String, String> cells = new LinkedHashMap<>();
        userId.ifPresent(id -> cells.put("user_id", id));
        Iterator<Map.Entry<String, JsonNode>> it = body.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals(UserWriter.FIELDS)) {
                for (Map.Entry<String, JsonNode> f : e.getValue().properties()) {
                    put(cells, ActionKitMapping.USER_FIELD_PREFIX + f.getKey(), f.getValue().asText(""));
                }
            } else {
                put(cells, e.getKey(), e.getValue().asText(""));
            }
        }
        return cells;
    }

    private static void put(Map<String, String> cells, String column, String value) {
        if (!value.isBlank()) {
            cells.put(column, value);
        }
    }

    /** Rows grouped by the set of columns they fill: one file each, with no blank cell. */
    private static List<List<Row>> groups(List<Row> rows) {
        Map<Set<String>, List<Row>> byColumns = new LinkedHashMap<>();
        for (Row r : rows) {
            byColumns.computeIfAbsent(new LinkedHashSet<>(r.cells().keySet()), k -> new ArrayList<>()).add(r);
        }
        return new ArrayList<>(byColumns.values());
    }

    /**
     * Uploads the group and waits for its end; empty when ActionKit did not take the file (refused it,
     * failed, or lost its answer), so its records go through the REST resources.
     */
    private Optional<Outcome> upload(List<Row> group, boolean userFieldsOnly) {
        List<String> columns = new ArrayList<>(group.get(0).cells().keySet());
        Written posted;
        try {
            posted = client.upload(config.uploadPage().orElseThrow(), csv(columns, group), userFieldsOnly);
        } catch (CrmSyncException e) {
            if (e.code() == ErrorCode.QUOTA_EXHAUSTED) {
                throw e; // not sent
            }
            return Optional.empty(); // a 500 may hide the 400 of one row: each record on its own says which
        }
        if (!(posted instanceof Written.Done done) || done.id().isEmpty()) {
            return Optional.empty();
        }
        String id = done.id().get();
        String what = "upload " + id;
        try {
            JobPoller<JsonNode> poller = JobPoller.builder("ActionKit upload", (JsonNode s) -> s.path("is_completed")
                    .asBoolean(false) ? JobPoller.State.DONE : JobPoller.State.RUNNING).firstWait(config.uploadPollInterval())
                    .deadline(config.uploadTimeout()).clock(context.clock()).sleeper(context.sleeper()).build();
            JobPoller.Outcome<JsonNode> end = poller.await(() -> client.object("/rest/v1/upload/" + id + "/",
                    "upload progress (GET /rest/v1/upload/{id}/)"));
            if (!(end instanceof JobPoller.Done<JsonNode> finished)) {
                return Optional.of(new Outcome(false, 0, Map.of(), List.of(), what + " had not completed after "
                        + config.uploadTimeout() + " (" + ActionKitConfig.UPLOAD_TIMEOUT + ")"));
            }
            int errors = finished.status().path("has_errors").asInt(0);
            Map<Integer, String> byRow = new LinkedHashMap<>();
            List<String> other = new ArrayList<>();
            if (errors > 0) {
                // Read only now that the upload completed: earlier, its error list is not whole.
                for (JsonNode e : client.all(client.collectionUrl("uploaderror", List.of(Map.entry("upload", id),
                        Map.entry("_limit", Integer.toString(ActionKitClient.MAX_PAGE)))),
                        "upload errors (GET /rest/v1/uploaderror/)")) {
                    String message = Redaction.maskPersonalData(ActionKitJson.text(e, "message"));
                    int row = e.path("row").asInt(0);
                    if (row > 1) {
                        byRow.merge(row, message, (a, b) -> a + "; " + b);
                    } else {
                        other.add(message);
                    }
                }
            }
            return Optional.of(new Outcome(true, errors, byRow, other, what));
        } catch (CrmSyncException e) {
            if (e.code() == ErrorCode.QUOTA_EXHAUSTED) {
                return Optional.of(new Outcome(false, 0, Map.of(), List.of(), what + " was taken, and the quota ran out"
                        + " before its end was read: " + e.getMessage()));
            }
            return Optional.of(new Outcome(false, 0, Map.of(), List.of(), what + " was taken, and its progress could not"
                    + " be read: " + e.getMessage()));
        }
    }

    /** Results of a group of new users: those the import made are read back by email and get their phone. */
    private Map<String, WriteResult> createdUsers(List<Row> group, Outcome outcome) {
        Map<String, WriteResult> results = new LinkedHashMap<>();
        if (!outcome.completed()) {
            group.forEach(r -> results.put(r.write().key(), WriteResult.failed(r.write().key(), "UPLOAD_NOT_DONE",
                    outcome.what() + "; the next run looks these users up before creating any", true)));
            return results;
        }
        Map<String, JsonNode> byEmail = new LinkedHashMap<>();
        List<String> emails = group.stream().map(r -> r.cells().get("email")).toList();
        lookup.usersByEmail(emails).forEach(u -> byEmail.put(UserLookup.emailKey(ActionKitJson.text(u, "email")), u));
        Optional<String> quota = Optional.empty();
        for (int i = 0; i < group.size(); i++) {
            Row r = group.get(i);
            RemoteWrite w = r.write();
            JsonNode user = byEmail.get(UserLookup.emailKey(r.cells().get("email")));
            if (quota.isPresent() && user != null) {
                // The quota stopped the phones: the rest of the users wait for the next run, which links them.
                results.put(w.key(), WriteResult.notSent(w.key(), "ActionKit user " + ActionKitJson.text(user, "id")
                        + " was imported; its mobile phone waits for the next run: " + quota.get()));
                continue;
            }
            if (user == null) {
                results.put(w.key(), WriteResult.failed(w.key(), "UPLOAD_ROW_FAILED", rowError(outcome, i + 2), true));
                continue;
            }
            String id = ActionKitJson.text(user, "id");
            if (user.path("phones").isArray() && user.path("phones").isEmpty()) {
                phoneBook.created(id);
            }
            String number = w.fields().get(ActionKitMapping.MOBILE_PHONE);
            if (number == null || number.isBlank()) {
                results.put(w.key(), WriteResult.created(w.key(), id));
                continue;
            }
            try {
                String note = writer.writeMobile(id, number);
                results.put(w.key(), note.isEmpty() ? WriteResult.created(w.key(), id)
                        : new WriteResult(w.key(), WriteResult.Status.CREATED, Optional.of(id),
                                Optional.of("PHONE_NOT_WRITTEN"), note, false));
            } catch (CrmSyncException e) {
                if (e.code() == ErrorCode.QUOTA_EXHAUSTED) {
                    quota = Optional.of(e.getMessage());
                }
                results.put(w.key(), WriteResult.failed(w.key(), "PHONE_NOT_WRITTEN", "ActionKit user " + id
                        + " was imported but its mobile phone could not be written (" + e.getMessage() + "); the next"
                        + " run links the user and writes the number", true));
            }
        }
        return results;
    }

    /** Results of a group of updates: all done unless the upload's errors name a row; unknown rows are read back. */
    private Map<String, WriteResult> updatedUsers(List<Row> group, Outcome outcome) {
        Map<String, WriteResult> results = new LinkedHashMap<>();
        if (!outcome.completed()) {
            group.forEach(r -> results.put(r.write().key(), WriteResult.failed(r.write().key(), "UPLOAD_NOT_DONE",
                    outcome.what() + "; sent again on the next run", true)));
            return results;
        }
        Map<String, JsonNode> readBack = new LinkedHashMap<>();
        List<String> emailed = group.stream().filter(r -> r.write().fields().containsKey(EMAIL))
                .map(r -> r.write().remoteId().orElseThrow()).toList();
        if (!outcome.otherErrors().isEmpty() || !emailed.isEmpty()) {
            // Errors that name no row: which rows failed is read from the users themselves; and the emails the
            // updates carry are compared with the users'.
            lookup.usersById(outcome.otherErrors().isEmpty() ? emailed
                    : group.stream().map(r -> r.write().remoteId().orElseThrow()).toList())
                    .forEach(u -> readBack.put(ActionKitJson.text(u, "id"), u));
        }
        Optional<String> quota = Optional.empty();
        try {
            phoneBook.preload(group.stream().filter(r -> UserWriter.mayWriteMobile(r.write()))
                    .map(r -> r.write().remoteId().orElseThrow()).toList());
        } catch (CrmSyncException e) {
            if (e.code() != ErrorCode.QUOTA_EXHAUSTED) {
                throw e;
            }
            quota = Optional.of(e.getMessage());
        }
        for (int i = 0; i < group.size(); i++) {
            Row r = group.get(i);
            RemoteWrite w = r.write();
            String id = w.remoteId().orElseThrow();
            if (quota.isPresent() && UserWriter.mayWriteMobile(w)) {
                // Its user fields were uploaded; the quota stopped its phone: sent again next run.
                results.put(w.key(), WriteResult.notSent(w.key(), quota.get()));
                continue;
            }
            String rowError = outcome.rowErrors().get(i + 2);
            boolean failed = rowError != null || (!outcome.otherErrors().isEmpty() && !applied(r, readBack.get(id)));
            if (failed) {
                results.put(w.key(), WriteResult.failed(w.key(), "UPLOAD_ROW_FAILED", rowError(outcome, i + 2), true));
                continue;
            }
            String note;
            try {
                Optional<WriteResult> email = newEmail(w, readBack.get(id));
                if (email.isPresent()) {
                    results.put(w.key(), email.get());
                    continue;
                }
                note = writer.numberFor(w, id).map(number -> writer.writeMobile(id, number)).orElse("");
            } catch (CrmSyncException e) {
                if (e.code() == ErrorCode.QUOTA_EXHAUSTED) {
                    quota = Optional.of(e.getMessage());
                    results.put(w.key(), WriteResult.notSent(w.key(), e.getMessage()));
                } else {
                    results.put(w.key(), WriteResult.failed(w.key(), "PHONE_NOT_WRITTEN", "the upload updated ActionKit"
                            + " user " + id + " but its mobile phone could not be written (" + e.getMessage() + "); sent"
                            + " again on the next run", true));
                }
                continue;
            }
            results.put(w.key(), note.isEmpty() ? WriteResult.updated(w.key(), id) : new WriteResult(w.key(),
                    WriteResult.Status.UPDATED, Optional.of(id), Optional.of("PHONE_NOT_WRITTEN"), note, false));
        }
        return results;
    }

    /** Whether the user read back holds the row's values. */
    private static boolean applied(Row r, JsonNode user) {
        if (user == null) {
            return false;
        }
        for (Map.Entry<String, String> cell : r.cells().entrySet()) {
            String column = cell.getKey();
            if (column.equals("user_id")) {
                continue;
            }
            String now = column.startsWith(ActionKitMapping.USER_FIELD_PREFIX)
                    ? ActionKitJson.valueText(user.path("fields").get(column.substring(ActionKitMapping.USER_FIELD_PREFIX
                            .length()))) : ActionKitJson.text(user, column);
            if (!cell.getValue().equals(now)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The update's email, written through the user resource when it differs from the user's (ignoring case);
     * empty when there is nothing to write or it was written, else the record's failure.
     */
    private Optional<WriteResult> newEmail(RemoteWrite w, JsonNode user) {
        String email = w.fields().get(EMAIL);
        if (email == null || email.isBlank() || user != null && email.equalsIgnoreCase(ActionKitJson.text(user, EMAIL))) {
            return Optional.empty();
        }
        Written changed = writer.updateEmail(w.remoteId().orElseThrow(), email);
        if (changed instanceof Written.Conflict conflict) {
            return Optional.of(WriteResult.failed(w.key(), "EMAIL_TAKEN", "the new email belongs to another ActionKit"
                    + " user" + conflict.existingId().map(o -> " (" + o + ")").orElse("") + ": " + conflict.summary(),
                    false));
        }
        if (changed instanceof Written.Refused refused) {
            return Optional.of(WriteResult.failed(w.key(), "USER_REFUSED", refused.summary(), false));
        }
        return Optional.empty();
    }

    private static String rowError(Outcome outcome, int row) {
        String mine = outcome.rowErrors().get(row);
        if (mine != null) {
            return outcome.what() + " did not import this row: " + mine;
        }
        return outcome.what() + " did not import this row" + (outcome.otherErrors().isEmpty() ? ""
                : "; its errors: " + String.join("; ", outcome.otherErrors()));
    }

    /** The file: a header and the rows, RFC 4180 quoting, UTF-8 (uploads.html: "Be saved in the UTF-8 encoding"). */
    private static byte[] csv(List<String> columns, List<Row> rows) {
        StringBuilder out = new StringBuilder();
        line(out, columns);
        for (Row r : rows) {
            List<String> values = new ArrayList<>(columns.size());
            columns.forEach(c -> values.add(r.cells().getOrDefault(c, "")));
            line(out, values);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void line(StringBuilder out, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            if (i > 0) {
                out.append(',');
            }
            if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
                out.append('"').append(v.replace("\"", "\"\"")).append('"');
            } else {
                out.append(v);
            }
        }
        out.append('\n');
    }
}
