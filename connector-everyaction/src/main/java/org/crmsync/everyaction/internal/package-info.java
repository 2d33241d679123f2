/**
 * The NGP VAN API v4 client behind the EveryAction connector: the Retrofit resources ({@link
 * org.crmsync.everyaction.internal.VanApi}), the client that authenticates, sends and decodes them
 * ({@link org.crmsync.everyaction.internal.VanClient}), and the values it answers with. Not part of
 * the public API.
 */
package org.crmsync.everyaction.internal;
