package org.crmsync.activecampaign.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import retrofit2.Call;
import retrofit2.http.Body;
import retrofit2.http.GET;
import retrofit2.http.POST;
import retrofit2.http.PUT;
import retrofit2.http.Path;
import retrofit2.http.Query;
import retrofit2.http.QueryMap;

/**
 * ActiveCampaign API v3 resources, relative to the account's API URL ({@code https://<account>.api-us1.com/api/3/},
 * taken whole from Settings > Developer). Every call carries {@code Api-Token}. Sources: the v3
 * reference, https://developers.activecampaign.com/reference (list-all-contacts, sync-a-contacts-data,
 * update-a-contact-new, update-list-status-for-contact, retrieve-fields, list-all-custom-field-values,
 * bulk-import-contacts, bulk-import-status-info, sideloading, pagination); notes in
 * shared/reference/salesforce-activecampaign-api.md Part B.
 */
interface ActiveCampaignApi {
    /** The token's own user: the cheapest call that proves the key works (singer tap-activecampaign does the same). */
    @GET("users/me")
    Call<JsonNode> me();

    /** Custom field definitions, {@code limit} at most 100, paged by {@code offset}; {@code meta.total} is a string. */
    @GET("fields")
    Call<AcJson.FieldsPage> fields(@Query("limit") int limit, @Query("offset") int offset);

    @GET("lists")
    Call<AcJson.ListsPage> lists(@Query("limit") int limit, @Query("offset") int offset);

    /**
     * The account's exclusion list, the email addresses (or their beginnings or ends) that are kept out
     * (https://developers.activecampaign.com/reference/exclusions-retrieve-a-list), paged as every list is.
     */
    @GET("lists/exclusions")
    Call<AcJson.ExclusionsPage> exclusions(@Query("limit") int limit, @Query("offset") int offset);

    /**
     * Lists, searches and filters contacts. {@code query} holds {@code email}, {@code id_greater},
     * {@code orders[id]}, {@code filters[updated_after]}, {@code limit} (max 100), {@code include};
     * {@code ids} becomes repeated {@code ids[]} parameters. Unknown parameters are silently ignored
     * by ActiveCampaign, so callers check what comes back.
     */
    @GET("contacts")
    Call<AcJson.ContactsPage> contacts(@QueryMap Map<String, String> query, @Query("ids[]") List<String> ids);

    /**
     * Creates or updates the contact with this email: ActiveCampaign matches on email only, so a changed
     * email makes a new contact (https://developers.activecampaign.com/reference/sync-a-contacts-data).
     */
    @SafeToRepeat
    @POST("contact/sync")
    Call<AcJson.ContactEnvelope> sync(@Body AcJson.ContactWriteEnvelope body);

    /** Updates the contact with this id, email included; only the fields sent change. */
    @PUT("contacts/{id}")
    Call<AcJson.ContactEnvelope> update(@Path("id") String id, @Body AcJson.ContactWriteEnvelope body);

    /**
     * Sets a contact's status on a list ("1" subscribe, "2" unsubscribe); setting a status twice changes
     * nothing. Setting 1 re-subscribes people who unsubscribed themselves, so callers check first
     * (https://developers.activecampaign.com/reference/update-list-status-for-contact).
     */
    @SafeToRepeat
    @POST("contactLists")
    Call<JsonNode> contactList(@Body AcJson.ContactListEnvelope body);

    /**
     * Custom field values, filtered by field id and value
     * (https://developers.activecampaign.com/reference/list-all-custom-field-values), {@code limit} at
     * most 100, paged by {@code offset}.
     */
    @GET("fieldValues")
    Call<AcJson.FieldValuesPage> fieldValues(@Query("filters[fieldid]") String fieldId,
            @Query("filters[val]") String value, @Query("limit") int limit, @Query("offset") int offset);

    /**
     * Queues up to 250 contacts (under ~400 KB; at least 10 suggested, contact/sync for fewer). The
     * importer upserts by email, as {@code contact/sync} does, so sending the same payload again updates
     * the same contacts instead of duplicating them; it does not subscribe contacts to lists they
     * unsubscribed from (https://developers.activecampaign.com/reference/bulk-import-contacts).
     */
    @SafeToRepeat
    @POST("import/bulk_import")
    Call<AcJson.BulkImportResponse> bulkImport(@Body AcJson.BulkImportRequest body);

    /**
     * The outcome of a queued import: {@code {"status":"completed","success":["123",…],"failure":["email",…]}}
     * (https://developers.activecampaign.com/reference/bulk-import-status-info).
     */
    @GET("import/info")
    Call<AcJson.ImportInfo> importInfo(@Query("batchId") String batchId);
}
