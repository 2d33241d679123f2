package org.crmsync.activecampaign.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The JSON shapes of ActiveCampaign API v3, as its reference documents them. Ids, counts and even
 * statuses arrive as strings ({@code "id":"113"}, {@code "meta":{"total":"6"}}) or, in some echoes, as
 * numbers; fields are read as strings and parsed leniently. Unknown properties are ignored. Request
 * bodies leave out {@code null} values: an empty string would wipe the field in ActiveCampaign.
 */
final class AcJson {
    private AcJson() {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Meta(String total) {
        long totalOr(long fallback) {
            try {
                return total == null ? fallback : Long.parseLong(total.trim());
            } catch (NumberFormatException e) {
                return fallback;
            }
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Field(String id, String title, String perstag, String type) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record FieldsPage(List<Field> fields, Meta meta) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ContactList(String id, String contact, String list, String status) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record MailingList(String id, String name, String stringid) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ListsPage(List<MailingList> lists, Meta meta) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record FieldValue(String id, String contact, String field, String value) {
    }

    /**
     * An entry of the account's exclusion list: {@code {"id":"2","matchPhrase":"example@domain.com",
     * "matchType":"exact","channel":"several","hidden":false,"lists":["2","1"]}} (exclusions-retrieve-a-list).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Exclusion(String id, String matchPhrase, String matchType, String channel, List<String> lists) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ExclusionsPage(List<Exclusion> exclusions, Meta meta) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record FieldValuesPage(List<FieldValue> fieldValues, Meta meta) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Contact(String id, String email, String firstName, String lastName, String phone, String cdate,
            String udate) {
    }

    /** A page of contacts with the side-loaded collections asked for with {@code include}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record ContactsPage(List<Contact> contacts, List<FieldValue> fieldValues, List<ContactList> contactLists,
            Meta meta) {
    }

    /** The answer of {@code contact/sync} and {@code PUT contacts/{id}}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record ContactEnvelope(Contact contact, List<FieldValue> fieldValues) {
    }

    /**
     * A custom field value in create, sync and update bodies: {@code {"field":"<id as string>","value":"…"}};
     * dates {@code YYYY-MM-DD} (create-a-new-contact, create-fieldvalue).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record FieldValueWrite(String field, String value) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ContactWrite(String email, String firstName, String lastName, String phone,
            List<FieldValueWrite> fieldValues) {
    }

    record ContactWriteEnvelope(ContactWrite contact) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ContactListWrite(String list, String contact, String status) {
    }

    record ContactListEnvelope(ContactListWrite contactList) {
    }

    /**
     * Bulk import uses another shape for custom fields than the contact endpoints: numeric {@code id}, not
     * {@code field} ({@code "fields":[{"id":1,"value":"foo"}]}, bulk-import-contacts).
     */
    record BulkField(long id, String value) {
    }

    record BulkList(String listid) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record BulkContact(String email, @JsonProperty("first_name") String firstName,
            @JsonProperty("last_name") String lastName, String phone, List<BulkField> fields,
            List<BulkList> subscribe, List<BulkList> unsubscribe,
            @JsonProperty("exclude_automations") boolean excludeAutomations) {
    }

    record BulkImportRequest(List<BulkContact> contacts) {
    }

    /**
     * {@code {"Success":1,"queued_contacts":1,"batchId":"…","message":"Contact import queued"}} on 200
     * (note the capital S), {@code {"success":0,"message":"…","failureReasons":[…]}} on 400.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record BulkImportResponse(@JsonProperty("Success") String successUpper, String success,
            @JsonProperty("queued_contacts") String queuedContacts, String batchId, String message,
            List<JsonNode> failureReasons) {
        boolean queued() {
            return "1".equals(successUpper) || "1".equals(success);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ImportInfo(String status, List<String> success, List<String> failure) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ErrorItem(String title, String detail, String code, JsonNode source) {
    }

    /** A 422 body: {@code {"errors":[{"title":"…","detail":"…","code":"duplicate","source":{"pointer":"/data/attributes/email"}}]}}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record ErrorBody(List<ErrorItem> errors, String message) {
    }
}
