/**
 * The EveryAction connector (NGP VAN API v4): {@link org.crmsync.everyaction.EveryActionConnectorProvider}
 * (id {@code everyaction}), its typed {@link org.crmsync.everyaction.EveryActionConfig}, the connector,
 * its default {@link org.crmsync.everyaction.EveryActionMapping} (standard fields only, as the seed
 * says). The API client lives in {@code org.crmsync.everyaction.internal}.
 */
package org.crmsync.everyaction;
