/**
 * The Salesforce connector: {@link org.crmsync.salesforce.SalesforceConnectorProvider} (id {@code
 * salesforce}), its typed {@link org.crmsync.salesforce.SalesforceConfig}, the {@link
 * org.crmsync.salesforce.SalesforceConnector} itself and its default {@link
 * org.crmsync.salesforce.SalesforceMapping}. The REST client lives in {@code
 * org.crmsync.salesforce.internal}.
 */
package org.crmsync.salesforce;
