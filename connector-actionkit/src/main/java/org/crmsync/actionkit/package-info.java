/**
 * The ActionKit connector: {@link org.crmsync.actionkit.ActionKitConnectorProvider} (id {@code actionkit}),
 * its typed {@link org.crmsync.actionkit.ActionKitConfig}, the {@link org.crmsync.actionkit.ActionKitConnector}
 * itself and its default {@link org.crmsync.actionkit.ActionKitMapping}. The REST client lives in {@code
 * org.crmsync.actionkit.internal}. ActionKit has no export file in the seed, so there is no export reader.
 */
package org.crmsync.actionkit;
