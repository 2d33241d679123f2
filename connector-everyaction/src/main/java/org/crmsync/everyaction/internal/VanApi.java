package org.crmsync.everyaction.internal;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.ResponseBody;
import retrofit2.Call;
import retrofit2.http.Body;
import retrofit2.http.GET;
import retrofit2.http.POST;
import retrofit2.http.Path;
import retrofit2.http.Query;
import retrofit2.http.Streaming;
import retrofit2.http.Url;

/**
 * NGP VAN API v4 resources, relative to {@code https://api.securevan.com/v4/}. Every call carries HTTP
 * Basic {@code appName:apiKey|mode}. Sources: https://docs.ngpvan.com/reference (people, common-models,
 * peoplevanid, changedentityexportjobs), https://docs.everyaction.com/reference/changed-entities-common-models,
 * parsons {@code parsons/ngpvan/*.py} and its tests, NGP VAN's {@code ngpvan-api-example}; notes in
 * shared/reference/actionkit-everyaction-luminate-api.md §2 and §7.
 */
interface VanApi {
    /**
     * The key's own profile: {@code {"items":[{"databaseName":..,"hasMyVoters":..,"hasMyCampaign":..,
     * "apiKeyTypeName":..,"username":..}],"nextPageLink":null,"count":1}} (parsons test_introspection).
     */
    @GET("apiKeyProfiles")
    Call<JsonNode> apiKeyProfiles();

    /**
     * Finds the person matching the body's match candidate or creates one. Answers 201 or 302 with
     * {@code {vanId, status}} (NGP VAN's sample client, {@code PeopleController.cs}) or 200 with the
     * full person (the vendor's reference); a 302 is not followed.
     */
    @SafeToRepeat
    @POST("people/findOrCreate")
    Call<JsonNode> findOrCreate(@Body JsonNode person);

    /** The person matching the body: 302 with a {@code Location} of the person; 404 when none matches. */
    @SafeToRepeat
    @POST("people/find")
    Call<JsonNode> find(@Body JsonNode candidate);

    /** One person; {@code $expand} names the collections to fill (unexpanded ones are null). 404 when not available. */
    @GET("people/{vanId}")
    Call<JsonNode> person(@Path("vanId") long vanId, @Query(value = "$expand", encoded = true) String expand);

    /**
     * Updates the person: "Alias for POST /people/findOrCreate with vanId set"; 404 when that VAN ID is
     * not available (https://docs.ngpvan.com/reference/peoplevanid).
     */
    @SafeToRepeat
    @POST("people/{vanId}")
    Call<JsonNode> update(@Path("vanId") long vanId, @Body JsonNode person);

    /** Starts a changed-entity export job: 201 with the job and every property it accepted. */
    @SafeToRepeat
    @POST("changedEntityExportJobs")
    Call<JsonNode> createExportJob(@Body JsonNode request);

    /**
     * The fields a resource's export offers: {@code [{"fieldName":"ActivistCodeID","fieldType":"N",
     * "maxTextboxCharacters":null,"isCoreField":true,"availableValues":null}, ...]} (parsons
     * test_changed_entities).
     */
    @GET("changedEntityExportJobs/fields/{resourceType}")
    Call<JsonNode> exportFields(@Path("resourceType") String resourceType);

    /** A job's status: {@code jobStatus} Pending, InProcess, Complete or Error, and its {@code files[]}. */
    @GET("changedEntityExportJobs/{exportJobId}")
    Call<JsonNode> exportJob(@Path("exportJobId") long exportJobId);

    /** A file of a completed job, at the absolute {@code downloadUrl} VAN gave (another host; no credentials). */
    @Streaming
    @GET
    Call<ResponseBody> download(@Url String url);
}
