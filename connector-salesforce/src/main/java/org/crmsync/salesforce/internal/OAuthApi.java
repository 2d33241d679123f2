package org.crmsync.salesforce.internal;

import java.util.Map;
import retrofit2.Call;
import retrofit2.http.FieldMap;
import retrofit2.http.FormUrlEncoded;
import retrofit2.http.POST;

/**
 * The OAuth 2.0 token endpoint, {@code POST https://{login host}/services/oauth2/token}, form-encoded.
 * Username-password flow: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_understanding_username_password_oauth_flow.htm ;
 * client credentials flow: https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_client_credentials_flow.htm
 */
interface OAuthApi {
    @FormUrlEncoded
    @POST("services/oauth2/token")
    Call<TokenResponse> token(@FieldMap Map<String, String> form);
}
