package org.crmsync.activecampaign.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.ResponseBody;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.http.HttpClients;
import org.crmsync.http.HttpErrors;
import org.crmsync.http.HttpSettings;
import org.crmsync.kit.ApiCalls;
import retrofit2.Call;
import retrofit2.Invocation;
import retrofit2.Response;
import retrofit2.Retrofit;
import retrofit2.converter.jackson.JacksonConverterFactory;

/**
 * A small ActiveCampaign API v3 client over Retrofit. Every request carries {@code Api-Token}; POSTs
 * ActiveCampaign deduplicates ({@code contact/sync}, list status, bulk import) are marked safe to
 * retry. Whole-call failures are thrown as {@link CrmSyncException}s whose messages quote the body with
 * secrets redacted; a 403 is reported as a credentials problem, because that is what ActiveCampaign
 * answers for a missing or wrong key. A refused contact write is returned, not thrown.
 */
public final class ActiveCampaignClient {
    /** ActiveCampaign's maximum page size for list endpoints (https://developers.activecampaign.com/reference/pagination). */
    public static final int MAX_PAGE = 100;

    static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .build();

    private final ActiveCampaignApi api;
    private final List<String> secrets;
    private final HttpSettings settings;
    private final ApiCalls calls;

    private ActiveCampaignClient(ActiveCampaignApi api, List<String> secrets, HttpSettings settings) {
        this.api = api;
        this.secrets = secrets;
        this.settings = settings;
        // Every POST ActiveCampaign is sent today it deduplicates (SafeToRepeat); any other would be a create
        // the account may hold twice after a lost answer.
        this.calls = ApiCalls.builder("ActiveCampaign").hostSetting("api.url").settings(settings)
                .secrets(() -> this.secrets).createsWithoutDeduplication(r -> !safeToRepeat(r),
                        "look for it in ActiveCampaign before sending it again").build();
    }

    /** As {@link #create(String, String, OkHttpClient, HttpSettings)}, for a client with the default settings. */
    public static ActiveCampaignClient create(String apiUrl, String token, OkHttpClient http) {
        return create(apiUrl, token, http, HttpSettings.defaults());
    }

    /**
     * @param apiUrl the account's API URL ending in {@code /api/3}
     * @param token the API key, sent as {@code Api-Token}
     * @param http a client from {@code HttpClients} (retries, rate limit, meter, deadline)
     * @param settings the settings {@code http} was built with, named in messages about timeouts
     */
    public static ActiveCampaignClient create(String apiUrl, String token, OkHttpClient http, HttpSettings settings) {
        requireNonNull(apiUrl, "apiUrl");
        requireNonNull(token, "token");
        requireNonNull(http, "http");
        requireNonNull(settings, "settings");
        OkHttpClient.Builder b = http.newBuilder();
        // First in the chain, so the retry interceptor already sees the tag, the JSON check the Accept header
        // and every attempt the token.
        b.interceptors().add(0, chain -> {
            Request request = chain.request();
            Request.Builder next = request.newBuilder().header("Api-Token", token)
                    .header("Accept", "application/json");
            Invocation invocation = request.tag(Invocation.class);
            if (invocation != null && invocation.method().isAnnotationPresent(SafeToRepeat.class)) {
                HttpClients.idempotent(next);
            }
            return chain.proceed(next.build());
        });
        Retrofit retrofit = new Retrofit.Builder()
                .baseUrl(apiUrl.endsWith("/") ? apiUrl : apiUrl + "/")
                .client(b.build())
                .addConverterFactory(JacksonConverterFactory.create(JSON))
                .build();
        return new ActiveCampaignClient(retrofit.create(ActiveCampaignApi.class), List.of(token), settings);
    }

    /** Proves the token works: {@code GET users/me}. */
    public void checkToken() {
        execute(api.me(), "ActiveCampaign token check (GET users/me)");
    }

    /** Every custom contact field, paged by 100. */
    public List<AcField> fields() {
        List<AcField> all = new ArrayList<>();
        for (int offset = 0; ; offset += MAX_PAGE) {
            AcJson.FieldsPage page = execute(api.fields(MAX_PAGE, offset), "ActiveCampaign custom fields (GET fields)");
            List<AcJson.Field> fields = page.fields() == null ? List.of() : page.fields();
            fields.stream().filter(f -> f.id() != null).forEach(f -> all.add(new AcField(f.id(), f.title(), f.perstag(),
                    f.type())));
            long total = page.meta() == null ? -1 : page.meta().totalOr(-1);
            if (fields.isEmpty() || (total >= 0 && offset + fields.size() >= total)) {
                return all;
            }
        }
    }

    /** Every list, paged by 100. */
    public List<AcList> lists() {
        List<AcList> all = new ArrayList<>();
        for (int offset = 0; ; offset += MAX_PAGE) {
            AcJson.ListsPage page = execute(api.lists(MAX_PAGE, offset), "ActiveCampaign lists (GET lists)");
            List<AcJson.MailingList> lists = page.lists() == null ? List.of() : page.lists();
            lists.stream().filter(l -> l.id() != null).forEach(l -> all.add(new AcList(l.id(), l.name())));
            long total = page.meta() == null ? -1 : page.meta().totalOr(-1);
            if (lists.isEmpty() || (total >= 0 && offset + lists.size() >= total)) {
                return all;
            }
        }
    }

    /** Every entry of the account's exclusion list, paged by 100. */
    public List<Exclusion> exclusions() {
        Map<String, Exclusion> all = new LinkedHashMap<>();
        for (int offset = 0; ; offset += MAX_PAGE) {
            AcJson.ExclusionsPage page = execute(api.exclusions(MAX_PAGE, offset),
                    "ActiveCampaign exclusion list (GET lists/exclusions)");
            List<AcJson.Exclusion> entries = page.exclusions() == null ? List.of() : page.exclusions();
            int before = all.size();
            entries.forEach(e -> all.putIfAbsent(e.id() == null ? "#" + all.size() : e.id(),
                    new Exclusion(e.id(), e.matchPhrase(), e.matchType(), e.channel(), e.lists())));
            long total = page.meta() == null ? -1 : page.meta().totalOr(-1);
            // A page with nothing new (an offset ActiveCampaign did not apply) ends the read rather than loop.
            if (entries.size() < MAX_PAGE || all.size() == before || (total >= 0 && offset + entries.size() >= total)) {
                return new ArrayList<>(all.values());
            }
        }
    }

    /**
     * One page of contacts with their custom field values and list memberships side-loaded
     * ({@code include=fieldValues,contactLists}: one call per 100 contacts instead of one per contact;
     * https://developers.activecampaign.com/reference/sideloading).
     *
     * @param query further parameters ({@code email}, {@code id_greater}, {@code orders[id]},
     *     {@code filters[updated_after]}, {@code limit})
     * @param ids contact ids, sent as repeated {@code ids[]}; empty for none
     */
    public ContactPage contacts(Map<String, String> query, List<String> ids) {
        Map<String, String> q = new LinkedHashMap<>(query);
        q.put("include", "fieldValues,contactLists");
        AcJson.ContactsPage page = execute(api.contacts(q, ids.isEmpty() ? null : ids),
                "ActiveCampaign contact list (GET contacts)");
        return toPage(page);
    }

    /**
     * The contact ids whose value in custom field {@code fieldId} is {@code value} (white space around
     * either ignored), through every page of {@code GET fieldValues?filters[fieldid]=…&filters[val]=…},
     * 100 values per call.
     *
     * <p>What comes back is filtered here again: ActiveCampaign may match the value loosely (another
     * case), and it ignores filters it does not apply, answering with every value of the account
     * instead. Values of other fields or other values are left out. A full page without one value of
     * this field that equals {@code value} even ignoring case means the filters were ignored: paging
     * through every value of the account is not an answer to give silently, so the lookup fails.
     */
    public List<String> contactIdsWithFieldValue(String fieldId, String value) {
        String wanted = value.trim();
        Set<String> ids = new LinkedHashSet<>();
        for (int offset = 0; ; offset += MAX_PAGE) {
            AcJson.FieldValuesPage page = execute(api.fieldValues(fieldId, value, MAX_PAGE, offset),
                    "ActiveCampaign custom field values (GET fieldValues)");
            List<AcJson.FieldValue> values = page.fieldValues() == null ? List.of() : page.fieldValues();
            boolean anyLooseMatch = false;
            for (AcJson.FieldValue fv : values) {
                if (!fieldId.equals(fv.field()) || fv.value() == null) {
                    continue;
                }
                String v = fv.value().trim();
                anyLooseMatch |= v.equalsIgnoreCase(wanted);
                if (v.equals(wanted) && fv.contact() != null) {
                    ids.add(fv.contact());
                }
            }
            if (values.size() >= MAX_PAGE && !anyLooseMatch) {
                throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "ActiveCampaign ignored the filters of GET"
                        + " fieldValues (filters[fieldid]=" + fieldId + "): a full page of " + values.size()
                        + " values at offset " + offset + " held none of the value asked for, so the local ID"
                        + " cannot be looked up this way");
            }
            long total = page.meta() == null ? -1 : page.meta().totalOr(-1);
            if (values.size() < MAX_PAGE || (total >= 0 && offset + values.size() >= total)) {
                return new ArrayList<>(ids);
            }
        }
    }

    /** {@code POST contact/sync}: creates the contact with this email, or updates the one that has it. */
    public WriteOutcome sync(ContactData data) {
        return write(api.sync(envelope(data)), "ActiveCampaign contact sync (POST contact/sync)");
    }

    /** {@code PUT contacts/{id}}: updates that contact, its email included. */
    public WriteOutcome update(String contactId, ContactData data) {
        return write(api.update(contactId, envelope(data)), "ActiveCampaign contact update (PUT contacts/"
                + contactId + ")");
    }

    /** {@code POST contactLists}: sets a contact's status on a list ({@code 1} active, {@code 2} unsubscribed). */
    public void setListStatus(String contactId, String listId, String status) {
        execute(api.contactList(new AcJson.ContactListEnvelope(new AcJson.ContactListWrite(listId, contactId, status))),
                "ActiveCampaign list status (POST contactLists)");
    }

    /** {@code POST import/bulk_import} with at most 250 contacts. */
    public BulkImportOutcome bulkImport(List<ImportContact> contacts) {
        Response<AcJson.BulkImportResponse> response = call(api.bulkImport(bulkRequest(contacts)),
                "ActiveCampaign bulk import (POST import/bulk_import)");
        String what = "ActiveCampaign bulk import (POST import/bulk_import)";
        if (response.isSuccessful()) {
            AcJson.BulkImportResponse body = response.body();
            if (body == null || !body.queued() || body.batchId() == null || body.batchId().isBlank()) {
                throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, what + " answered " + response.code()
                        + " without queueing the import: " + (body == null ? "no body" : body.message()));
            }
            return BulkImportOutcome.queued(body.batchId(), body.message() == null ? "" : body.message());
        }
        if (response.code() == 400) {
            // 400: the payload did not pass validation and nothing was queued; failureReasons name the
            // contacts ({"contact":230,"failureReason":"…"}), or are plain strings ("Up to 100 imports may be
            // requested per minute…").
            AcJson.BulkImportResponse body = parse(response.errorBody(), AcJson.BulkImportResponse.class);
            Map<Integer, String> rejected = new HashMap<>();
            List<String> general = new ArrayList<>();
            if (body != null && body.failureReasons() != null) {
                for (JsonNode reason : body.failureReasons()) {
                    if (reason.isObject() && reason.path("contact").canConvertToInt()) {
                        rejected.merge(reason.path("contact").asInt(), reason.path("failureReason").asText(""),
                                (a, b) -> a + "; " + b);
                    } else {
                        general.add(reason.isTextual() ? reason.asText() : reason.toString());
                    }
                }
            }
            String message = body == null || body.message() == null ? "HTTP 400" : body.message();
            if (rejected.isEmpty()) {
                if (message.toLowerCase(Locale.ROOT).contains("rate limit")) {
                    // {"success":0,"message":"Rate limit exceeded.","failureReasons":["Up to 100 imports may be
                    // requested per minute. ... retry this request in a minute."]}: the importer's own limit.
                    return BulkImportOutcome.rateLimited(message.trim());
                }
                throw CrmSyncException.http(ErrorCode.RECORD_REJECTED, what + " refused the import: " + message
                        + (general.isEmpty() ? "" : " " + String.join(" ", general)), 400, null);
            }
            return BulkImportOutcome.refused(message, rejected);
        }
        throw error(response, what);
    }

    /** {@code GET import/info?batchId=}. */
    public ImportInfo importInfo(String batchId) {
        AcJson.ImportInfo info = execute(api.importInfo(batchId), "ActiveCampaign import status (GET import/info)");
        return new ImportInfo(info.status(), info.success(), info.failure());
    }

    /** The size in bytes of the bulk import request for these contacts, to keep each call under ~400 KB. */
    public static int bulkPayloadBytes(List<ImportContact> contacts) {
        return bulkPayload(contacts).getBytes(StandardCharsets.UTF_8).length;
    }

    /** The JSON of a bulk import request for these contacts. */
    static String bulkPayload(List<ImportContact> contacts) {
        try {
            return JSON.writeValueAsString(bulkRequest(contacts));
        } catch (IOException e) {
            throw new IllegalStateException("could not write a bulk import payload", e);
        }
    }

    /**
     * An ActiveCampaign timestamp as an instant. {@code cdate}/{@code udate} carry the account's offset
     * ({@code 2018-09-28T13:50:41-05:00}); zero dates ({@code 0000-00-00 00:00:00}) and blanks are none.
     */
    public static Optional<Instant> parseTimestamp(String value) {
        if (value == null || value.isBlank() || value.startsWith("0000-00-00")) {
            return Optional.empty();
        }
        String v = value.trim();
        try {
            return Optional.of(OffsetDateTime.parse(v).toInstant());
        } catch (DateTimeParseException e) {
            try {
                // created_utc_timestamp / updated_utc_timestamp: "YYYY-MM-DD HH:MM:SS" in UTC.
                return Optional.of(LocalDateTime.parse(v.replace(' ', 'T')).toInstant(ZoneOffset.UTC));
            } catch (DateTimeParseException again) {
                return Optional.empty();
            }
        }
    }

    // ----- plumbing -----

    private static AcJson.BulkImportRequest bulkRequest(List<ImportContact> contacts) {
        List<AcJson.BulkContact> out = new ArrayList<>();
        for (ImportContact c : contacts) {
            ContactData d = c.data();
            List<AcJson.BulkField> fields = new ArrayList<>();
            d.customByFieldId().forEach((id, value) -> fields.add(new AcJson.BulkField(Long.parseLong(id), value)));
            out.add(new AcJson.BulkContact(d.email(), d.firstName(), d.lastName(), d.phone(), fields,
                    c.subscribeListIds().stream().map(AcJson.BulkList::new).toList(),
                    c.unsubscribeListIds().stream().map(AcJson.BulkList::new).toList(), c.excludeAutomations()));
        }
        return new AcJson.BulkImportRequest(out);
    }

    private static AcJson.ContactWriteEnvelope envelope(ContactData d) {
        List<AcJson.FieldValueWrite> values = new ArrayList<>();
        d.customByFieldId().forEach((id, value) -> values.add(new AcJson.FieldValueWrite(id, value)));
        return new AcJson.ContactWriteEnvelope(new AcJson.ContactWrite(d.email(), d.firstName(), d.lastName(),
                d.phone(), values.isEmpty() ? null : values));
    }

    private WriteOutcome write(Call<AcJson.ContactEnvelope> call, String what) {
        Response<AcJson.ContactEnvelope> response = call(call, what);
        if (response.isSuccessful()) {
            AcJson.ContactEnvelope body = response.body();
            if (body == null || body.contact() == null || body.contact().id() == null) {
                throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, what + " answered " + response.code()
                        + " without the contact");
            }
            return WriteOutcome.saved(toContact(body.contact(), body.fieldValues(), List.of()));
        }
        int status = response.code();
        if (status == 400 || status == 404 || status == 422) {
            return WriteOutcome.rejected("HTTP_" + status, describeErrors(response.errorBody(), status));
        }
        throw error(response, what);
    }

    private <T> T execute(Call<T> call, String what) {
        return calls.body(call, what, this::error);
    }

    private <T> Response<T> call(Call<T> call, String what) {
        return calls.send(call, what);
    }

    /**
     * Whether sending the request twice does no harm: reads, {@code PUT}s, and the POSTs ActiveCampaign
     * deduplicates ({@link SafeToRepeat}). Every POST it sends today is one of those.
     */
    private static boolean safeToRepeat(Request request) {
        if (!"POST".equals(request.method()) && !"PATCH".equals(request.method())) {
            return true;
        }
        Invocation invocation = request.tag(Invocation.class);
        return invocation != null && invocation.method().isAnnotationPresent(SafeToRepeat.class);
    }

    private CrmSyncException error(Response<?> response, String what) {
        okhttp3.Response raw = response.raw();
        if (response.code() == 403) {
            // ActiveCampaign answers 403 (not 401) for a missing, wrong or revoked key, and for a key whose
            // user lacks the permission (https://developers.activecampaign.com/reference/overview;
            // reference notes Part B1).
            return CrmSyncException.http(ErrorCode.AUTHENTICATION_FAILED, what + " failed: HTTP 403 Forbidden. ActiveCampaign"
                    + " refused the API token: check api.token (Settings > Developer shows each user's key), that the"
                    + " key belongs to this account's API URL, and that its user may manage contacts.", 403, null);
        }
        ResponseBody body = response.errorBody();
        okhttp3.Response withBody = body == null ? raw : raw.newBuilder().body(body).build();
        return HttpErrors.of(withBody, what).requestIdHeader("X-Request-Id").secrets(secrets).advice(404,
                "Check api.url (the account's API URL from Settings > Developer, ending in /api/3) and the id asked"
                        + " for.").toException();
    }

    private static String describeErrors(ResponseBody body, int status) {
        AcJson.ErrorBody errors = parse(body, AcJson.ErrorBody.class);
        if (errors == null) {
            return "HTTP " + status;
        }
        if (errors.errors() != null && !errors.errors().isEmpty()) {
            StringJoiner j = new StringJoiner("; ");
            for (AcJson.ErrorItem e : errors.errors()) {
                String pointer = e.source() == null ? "" : e.source().path("pointer").asText(e.source().path("value").asText(""));
                j.add((e.title() == null ? "error" : e.title())
                        + (e.detail() == null || e.detail().isBlank() ? "" : ": " + e.detail())
                        + (pointer.isBlank() ? "" : " (" + pointer + ")"));
            }
            return j.toString();
        }
        return errors.message() == null ? "HTTP " + status : errors.message();
    }

    private static <T> T parse(ResponseBody body, Class<T> type) {
        if (body == null) {
            return null;
        }
        try {
            byte[] bytes = body.bytes();
            return bytes.length == 0 ? null : JSON.readValue(new String(bytes, StandardCharsets.UTF_8), type);
        } catch (IOException e) {
            return null;
        }
    }

    private static ContactPage toPage(AcJson.ContactsPage page) {
        List<AcJson.Contact> contacts = page.contacts() == null ? List.of() : page.contacts();
        List<AcContact> out = new ArrayList<>();
        for (AcJson.Contact c : contacts) {
            if (c.id() != null) {
                out.add(toContact(c, page.fieldValues(), page.contactLists()));
            }
        }
        return new ContactPage(out, page.meta() == null ? -1 : page.meta().totalOr(-1));
    }

    private static AcContact toContact(AcJson.Contact c, List<AcJson.FieldValue> fieldValues,
            List<AcJson.ContactList> contactLists) {
        Map<String, String> values = new LinkedHashMap<>();
        if (fieldValues != null) {
            for (AcJson.FieldValue fv : fieldValues) {
                // Side-loaded values of a page belong to its several contacts; "contact" (or "owner") says whose.
                if (c.id().equals(fv.contact()) && fv.field() != null) {
                    values.put(fv.field(), fv.value() == null ? "" : fv.value());
                }
            }
        }
        Map<String, String> lists = new LinkedHashMap<>();
        if (contactLists != null) {
            for (AcJson.ContactList cl : contactLists) {
                if (c.id().equals(cl.contact()) && cl.list() != null) {
                    lists.put(cl.list(), cl.status() == null ? "" : cl.status().trim());
                }
            }
        }
        return new AcContact(c.id(), c.email(), c.firstName(), c.lastName(), c.phone(), parseTimestamp(c.udate()),
                values, lists);
    }
}
