/**
 * The ActiveCampaign (API v3) connector, provider id {@code activecampaign}: configuration ({@link
 * org.crmsync.activecampaign.ActiveCampaignConfig}), the provider found by {@code ServiceLoader}
 * ({@link org.crmsync.activecampaign.ActiveCampaignConnectorProvider}), and the field mappings ({@link
 * org.crmsync.activecampaign.ActiveCampaignMapping}: the defaults and the seed's SONIS preset). The
 * connector itself, its reader and writer are package-private; the HTTP client is in {@code internal}.
 * See the module's README for what export and import do.
 */
package org.crmsync.activecampaign;
